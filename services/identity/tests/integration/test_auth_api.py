"""Auth endpoints against real PostgreSQL and Redis, through the ASGI app."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import uuid
from typing import Any

import httpx
from argon2 import PasswordHasher
from authlib.jose import JsonWebKey, jwt
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

PASSWORD = "correct horse battery staple"
PROBLEM = "application/problem+json"


def _email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def _without_correlation(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "correlationId"}


async def _register(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        "/auth/register", json={"email": email, "password": password, "name": "Ada Lovelace"}
    )


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/auth/login", json={"email": email, "password": password})


async def test_register_returns_201_location_and_public_user(client: httpx.AsyncClient) -> None:
    email = _email()
    resp = await _register(client, email)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) == {"id", "email", "name", "roles", "createdAt"}
    assert resp.headers["location"] == f"/users/{body['id']}"
    assert body["email"] == email
    assert body["name"] == "Ada Lovelace"
    assert body["roles"] == ["user"]
    uuid.UUID(body["id"])


async def test_register_writes_outbox_event_in_same_transaction(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    resp = await _register(client, _email())
    user_id = resp.json()["id"]
    async with engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    text("SELECT * FROM outbox WHERE event_type = :t AND key = :k"),
                    {"t": "identity.user.registered.v1", "k": user_id},
                )
            )
            .mappings()
            .all()
        )
    assert len(rows) == 1
    row = rows[0]
    assert row["topic"] == "identity.user"
    payload = row["payload"]
    assert payload["userId"] == user_id
    assert payload["name"] == "Ada Lovelace"


async def test_logins_and_refreshes_publish_one_activity_event_per_user_and_day(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = _email()
    user_id = (await _register(client, email)).json()["id"]
    first = (await _login(client, email)).json()
    second = (await _login(client, email)).json()
    for tokens in (first, second):
        resp = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
        assert resp.status_code == 200, resp.text
    async with engine.connect() as conn:
        logged_in = (
            await conn.execute(
                text("SELECT count(*) FROM outbox WHERE event_type = :t AND key = :k"),
                {"t": "identity.user.logged_in.v1", "k": user_id},
            )
        ).scalar_one()
        active_days = (
            await conn.execute(
                text("SELECT count(*) FROM user_activity WHERE user_id = :u"), {"u": user_id}
            )
        ).scalar_one()
    # Two logins and two refreshes on one UTC day: one activity event, one active day.
    assert logged_in == 1
    assert active_days == 1


async def test_duplicate_email_is_409_problem_case_insensitive(client: httpx.AsyncClient) -> None:
    email = _email()
    assert (await _register(client, email)).status_code == 201
    resp = await _register(client, email.upper())
    assert resp.status_code == 409
    assert resp.headers["content-type"].startswith(PROBLEM)
    body = resp.json()
    assert body["status"] == 409
    assert body["type"].endswith("/email-taken")
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == "/auth/register"


async def test_weak_password_is_422_with_field_path(client: httpx.AsyncClient) -> None:
    for weak in ("short1!", "1234567890", "Password123"):
        resp = await _register(client, _email(), weak)
        assert resp.status_code == 422, weak
        assert resp.headers["content-type"].startswith(PROBLEM)
        paths = [e["path"] for e in resp.json()["errors"]]
        assert paths == ["body.password"], (weak, resp.json())


async def test_unknown_fields_are_rejected(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/auth/register",
        json={"email": _email(), "password": PASSWORD, "name": "Eve", "roles": ["admin"]},
    )
    assert resp.status_code == 422
    assert [e["path"] for e in resp.json()["errors"]] == ["body.roles"]


async def test_login_returns_token_pair(client: httpx.AsyncClient) -> None:
    email = _email()
    await _register(client, email)
    resp = await _login(client, email.upper())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["tokenType"] == "bearer"
    assert body["expiresIn"] == 900
    assert body["accessToken"].count(".") == 2
    assert len(body["refreshToken"]) >= 43


async def test_wrong_password_and_unknown_email_get_the_same_401(client: httpx.AsyncClient) -> None:
    email = _email()
    await _register(client, email)
    wrong = await _login(client, email, "not the right password")
    unknown = await _login(client, _email(), PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"].startswith(PROBLEM)
    assert _without_correlation(wrong.json()) == _without_correlation(unknown.json())


async def test_blocked_and_deleted_users_cannot_log_in(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    blocked, deleted = _email(), _email()
    await _register(client, blocked)
    await _register(client, deleted)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET status = 'blocked' WHERE email = :e"), {"e": blocked}
        )
        await conn.execute(
            text("UPDATE users SET status = 'deleted' WHERE email = :e"), {"e": deleted}
        )
    assert (await _login(client, blocked)).status_code == 403
    gone = await _login(client, deleted)
    unknown = await _login(client, _email())
    assert gone.status_code == 401
    assert _without_correlation(gone.json()) == _without_correlation(unknown.json())


async def test_login_rehashes_when_parameters_changed(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = _email()
    await _register(client, email)
    old_hash = PasswordHasher(memory_cost=8192, time_cost=1, parallelism=1).hash(PASSWORD)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET password_hash = :h WHERE email = :e"),
            {"h": old_hash, "e": email},
        )
    assert (await _login(client, email)).status_code == 200
    async with engine.connect() as conn:
        new_hash = (
            await conn.execute(
                text("SELECT password_hash FROM users WHERE email = :e"), {"e": email}
            )
        ).scalar_one()
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def _session(client: httpx.AsyncClient) -> dict[str, Any]:
    email = _email()
    await _register(client, email)
    resp = await _login(client, email)
    assert resp.status_code == 200
    tokens: dict[str, Any] = resp.json()
    return tokens


async def test_users_me_with_access_token(client: httpx.AsyncClient) -> None:
    tokens = await _session(client)
    resp = await client.get(
        "/users/me", headers={"Authorization": f"Bearer {tokens['accessToken']}"}
    )
    assert resp.status_code == 200
    # The full profile (tests/integration/test_profiles.py checks its fields).
    assert {"id", "email", "name", "roles", "createdAt", "emailVerified"} <= set(resp.json())
    missing = await client.get("/users/me")
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith(PROBLEM)
    garbage = await client.get("/users/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert garbage.status_code == 401


async def test_refresh_rotates_the_token(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    tokens = await _session(client)
    resp = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert resp.status_code == 200, resp.text
    rotated = resp.json()
    assert rotated["refreshToken"] != tokens["refreshToken"]
    assert rotated["accessToken"] != tokens["accessToken"]
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT rotated_at, replaced_by, revoked_at FROM refresh_tokens "
                    "WHERE family_id = (SELECT family_id FROM refresh_tokens "
                    "WHERE replaced_by IS NOT NULL ORDER BY created_at DESC LIMIT 1) "
                    "ORDER BY created_at"
                )
            )
        ).all()
    assert len(rows) == 2
    assert rows[0].rotated_at is not None
    assert rows[0].replaced_by is not None
    assert rows[1].rotated_at is None
    # The new refresh token works in turn.
    again = await client.post("/auth/refresh", json={"refreshToken": rotated["refreshToken"]})
    assert again.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_family(
    client: httpx.AsyncClient,
) -> None:
    tokens = await _session(client)
    first = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    newer = first.json()["refreshToken"]
    reuse = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert reuse.status_code == 401
    assert reuse.headers["content-type"].startswith(PROBLEM)
    # Theft detected: the legitimate newer token is dead too.
    after = await client.post("/auth/refresh", json={"refreshToken": newer})
    assert after.status_code == 401


async def test_unknown_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    resp = await client.post("/auth/refresh", json={"refreshToken": "x" * 43})
    assert resp.status_code == 401
    assert resp.json()["type"].endswith("/invalid-refresh-token")


async def test_logout_denylists_access_token_and_revokes_refresh(
    client: httpx.AsyncClient, redis_client: Any
) -> None:
    tokens = await _session(client)
    auth = {"Authorization": f"Bearer {tokens['accessToken']}"}
    resp = await client.post("/auth/logout", headers=auth)
    assert resp.status_code == 204
    assert resp.content == b""
    claims = jwt.decode(
        tokens["accessToken"],
        JsonWebKey.import_key_set((await client.get("/.well-known/jwks.json")).json()),
    )
    ttl = await redis_client.ttl(f"auth:deny:{claims['jti']}")
    assert 0 < ttl <= 900
    me = await client.get("/users/me", headers=auth)
    assert me.status_code == 401
    refresh = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refresh.status_code == 401


async def test_logout_with_explicit_refresh_token_of_another_session(
    client: httpx.AsyncClient,
) -> None:
    email = _email()
    await _register(client, email)
    phone = (await _login(client, email)).json()
    tablet = (await _login(client, email)).json()
    resp = await client.post(
        "/auth/logout",
        headers={"Authorization": f"Bearer {phone['accessToken']}"},
        json={"refreshToken": tablet["refreshToken"]},
    )
    assert resp.status_code == 204
    for session in (phone, tablet):
        r = await client.post("/auth/refresh", json={"refreshToken": session["refreshToken"]})
        assert r.status_code == 401


async def test_logout_requires_a_token(client: httpx.AsyncClient) -> None:
    resp = await client.post("/auth/logout")
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith(PROBLEM)


async def test_jwks_verifies_an_issued_token_with_plain_authlib(client: httpx.AsyncClient) -> None:
    tokens = await _session(client)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert all("d" not in key for key in jwks["keys"])
    claims = jwt.decode(
        tokens["accessToken"],
        JsonWebKey.import_key_set(jwks),
        claims_options={
            "iss": {"essential": True, "value": "fitness-identity"},
            "aud": {"essential": True, "value": "fitness-api"},
        },
    )
    claims.validate()
    assert claims.header["alg"] == "EdDSA"
    assert claims.header["kid"] in {key["kid"] for key in jwks["keys"]}
    assert set(claims) >= {"sub", "roles", "jti", "iat", "exp", "iss", "aud", "sid"}
    assert claims["exp"] - claims["iat"] == 900
    assert claims["roles"] == ["user"]


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    resp = await client.get("/no/such/route")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith(PROBLEM)
    body = resp.json()
    assert body["status"] == 404
    assert body["instance"] == "/no/such/route"


async def test_malformed_json_is_422_problem(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith(PROBLEM)


async def test_password_is_used_exactly_as_typed(client: httpx.AsyncClient) -> None:
    email = _email()
    spaced = "  leading and trailing spaces  "
    assert (await _register(client, email, spaced)).status_code == 201
    assert (await _login(client, email, spaced)).status_code == 200
    assert (await _login(client, email, spaced.strip())).status_code == 401


async def test_register_rejects_control_characters_in_name(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/auth/register", json={"email": _email(), "password": PASSWORD, "name": "Ada\u0000"}
    )
    assert resp.status_code == 422
    assert [e["path"] for e in resp.json()["errors"]] == ["body.name"]


async def test_login_with_nul_in_email_is_a_plain_401(client: httpx.AsyncClient) -> None:
    resp = await _login(client, "ada\u0000@example.com")
    assert resp.status_code == 401


async def test_concurrent_refreshes_with_one_token_let_exactly_one_through(
    client: httpx.AsyncClient,
) -> None:
    tokens = await _session(client)
    body = {"refreshToken": tokens["refreshToken"]}
    first, second = await asyncio.gather(
        client.post("/auth/refresh", json=body), client.post("/auth/refresh", json=body)
    )
    assert sorted([first.status_code, second.status_code]) == [200, 401]


async def test_expired_refresh_token_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    tokens = await _session(client)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' "
                "WHERE token_hash = :h"
            ),
            {"h": hashlib.sha256(tokens["refreshToken"].encode()).hexdigest()},
        )
    resp = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert resp.status_code == 401


async def test_tampered_and_unsigned_tokens_are_refused(client: httpx.AsyncClient) -> None:
    tokens = await _session(client)
    header, payload, signature = tokens["accessToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["user", "admin"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    for token in (
        f"{header}.{forged_payload}.{signature}",
        f"{none_header}.{payload}.",
        f"{header}.{payload}.{signature[:-4]}AAAA",
    ):
        resp = await client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401, token


def _metric(text_body: str, line_prefix: str) -> float:
    for line in text_body.splitlines():
        if line.startswith(line_prefix + " "):
            return float(line.split()[-1])
    return 0.0


async def test_login_outcomes_are_counted_in_metrics(client: httpx.AsyncClient) -> None:
    name = 'identity_logins_total{result="invalid_credentials"}'
    before = _metric((await client.get("/metrics")).text, name)
    await _login(client, _email(), PASSWORD)
    after = _metric((await client.get("/metrics")).text, name)
    assert after == before + 1


async def test_whitespace_only_email_or_token_is_answered_like_any_unknown_one(
    client: httpx.AsyncClient,
) -> None:
    # The schema says minLength 1, so "\u00a0" is valid input: no 422, the usual answer instead.
    reset = await client.post("/auth/password-reset/request", json={"email": "\u00a0"})
    assert reset.status_code == 202
    login = await client.post("/auth/login", json={"email": " ", "password": "x"})
    assert login.status_code == 401
    refresh = await client.post("/auth/refresh", json={"refreshToken": "\u00a0"})
    assert refresh.status_code == 401
