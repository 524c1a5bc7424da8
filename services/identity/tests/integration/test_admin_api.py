"""/admin/users and /admin/audit through the ASGI app, against real PostgreSQL and Redis."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

PASSWORD = "correct horse battery staple"
PROBLEM = "application/problem+json"


@dataclass
class Account:
    id: str
    email: str
    access: str
    refresh: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


async def _register(client: httpx.AsyncClient, email: str, name: str = "Test User") -> str:
    resp = await client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert resp.status_code == 201, resp.text
    user_id: str = resp.json()["id"]
    return user_id


async def _login(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/auth/login", json={"email": email, "password": PASSWORD})


async def _account(
    client: httpx.AsyncClient, engine: AsyncEngine, *, admin: bool = False, name: str = "Test User"
) -> Account:
    email = f"adm-{uuid.uuid4().hex[:12]}@example.com"
    user_id = await _register(client, email, name)
    if admin:
        # What `make admin` does: there is no route that grants the first admin.
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE users SET roles = '{user,admin}' WHERE id = :id"), {"id": user_id}
            )
    resp = await _login(client, email)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return Account(user_id, email, body["accessToken"], body["refreshToken"])


@pytest.fixture
async def admin(client: httpx.AsyncClient, engine: AsyncEngine) -> Account:
    return await _account(client, engine, admin=True, name="Root Admin")


@pytest.fixture
async def user(client: httpx.AsyncClient, engine: AsyncEngine) -> Account:
    return await _account(client, engine)


async def _audit_rows(engine: AsyncEngine, target: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT * FROM admin_audit WHERE target = :t ORDER BY id"), {"t": target}
        )
        return [dict(r) for r in rows.mappings()]


ADMIN_CALLS = [
    ("GET", "/admin/users", None),
    ("GET", "/admin/audit", None),
    ("GET", "/admin/metrics", None),
    ("PATCH", f"/admin/users/{uuid.uuid4()}", {"status": "blocked"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_routes_refuse_a_normal_user_with_403(
    client: httpx.AsyncClient, user: Account, method: str, path: str, body: Any
) -> None:
    resp = await client.request(method, path, json=body, headers=user.auth)
    assert resp.status_code == 403, resp.text
    assert resp.headers["content-type"] == PROBLEM
    assert resp.json()["status"] == 403


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_routes_refuse_anonymous_with_401(
    client: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    resp = await client.request(method, path, json=body)
    assert resp.status_code == 401
    assert resp.headers["content-type"] == PROBLEM


async def test_admin_reads_are_200_for_an_admin(client: httpx.AsyncClient, admin: Account) -> None:
    for path in ("/admin/users", "/admin/audit", "/admin/metrics"):
        resp = await client.get(path, headers=admin.auth)
        assert resp.status_code == 200, (path, resp.text)
    resp = await client.get("/admin/users", params={"email": admin.email}, headers=admin.auth)
    body = resp.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert set(item) == {
        "id",
        "email",
        "name",
        "roles",
        "status",
        "emailVerified",
        "createdAt",
        "updatedAt",
    }
    assert (item["id"], item["roles"], item["status"]) == (admin.id, ["user", "admin"], "active")


async def test_blocking_revokes_refresh_tokens_refuses_login_and_is_audited(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Account, user: Account
) -> None:
    resp = await client.patch(
        f"/admin/users/{user.id}",
        json={"status": "blocked"},
        headers={
            **admin.auth,
            "X-Forwarded-For": "203.0.113.7, 10.0.0.2",
            "X-Request-ID": "req-block-42",
        },
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "blocked"

    # The access token issued before the block is refused at once, not after its 15 minutes.
    still = await client.get("/users/me", headers=user.auth)
    assert still.status_code == 401
    assert still.json()["detail"] == "Token has been revoked."
    refreshed = await client.post("/auth/refresh", json={"refreshToken": user.refresh})
    assert refreshed.status_code == 401
    login = await _login(client, user.email)
    assert login.status_code == 403
    assert login.json()["type"].endswith("/account-blocked")
    async with engine.connect() as conn:
        live = (
            await conn.execute(
                text(
                    "SELECT count(*) FROM refresh_tokens WHERE user_id = :u AND revoked_at IS NULL"
                ),
                {"u": user.id},
            )
        ).scalar_one()
    assert live == 0

    rows = await _audit_rows(engine, f"user:{user.id}")
    assert len(rows) == 1
    row = rows[0]
    assert str(row["actor_id"]) == admin.id
    assert row["action"] == "user.update"
    assert row["ip"] == "203.0.113.7"
    assert row["correlation_id"] == "req-block-42"
    assert row["details"]["status"] == {"from": "active", "to": "blocked"}
    assert row["details"]["revokedRefreshTokens"] == 1
    assert row["at"] is not None

    # Unblocking is a second audited write; the user can log in again.
    resp = await client.patch(
        f"/admin/users/{user.id}", json={"status": "active"}, headers=admin.auth
    )
    assert resp.status_code == 200
    relogin = await _login(client, user.email)
    assert relogin.status_code == 200
    # Minted in (or just after) the second of the revocation, yet accepted: iat is at the mark.
    fresh = {"Authorization": f"Bearer {relogin.json()['accessToken']}"}
    assert (await client.get("/users/me", headers=fresh)).status_code == 200
    rows = await _audit_rows(engine, f"user:{user.id}")
    assert [r["details"]["status"]["to"] for r in rows] == ["blocked", "active"]
    assert rows[1]["ip"] == "127.0.0.1"  # no X-Forwarded-For: the peer address


async def test_role_change_is_audited_and_listed_in_admin_audit(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Account, user: Account
) -> None:
    resp = await client.patch(
        f"/admin/users/{user.id}",
        json={"roles": ["admin", "user", "admin"]},
        headers={**admin.auth, "X-Request-ID": "req-roles-1"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["roles"] == ["user", "admin"]

    # The old token carries the old roles: it is refused; a refresh gets the new roles.
    assert (await client.get("/users/me", headers=user.auth)).status_code == 401
    refreshed = await client.post("/auth/refresh", json={"refreshToken": user.refresh})
    assert refreshed.status_code == 200, refreshed.text
    new_auth = {"Authorization": f"Bearer {refreshed.json()['accessToken']}"}
    assert (await client.get("/admin/users", headers=new_auth)).status_code == 200

    resp = await client.get(
        "/admin/audit", params={"target": f"user:{user.id}"}, headers=admin.auth
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == 1
    entry = body["items"][0]
    assert entry["actorId"] == admin.id
    assert entry["action"] == "user.update"
    assert entry["correlationId"] == "req-roles-1"
    assert entry["details"] == {"roles": {"from": ["user"], "to": ["user", "admin"]}}

    by_actor = await client.get(
        "/admin/audit", params={"actor": admin.id, "action": "user.update"}, headers=admin.auth
    )
    assert [e["target"] for e in by_actor.json()["items"]] == [f"user:{user.id}"]
    none = await client.get(
        "/admin/audit",
        params={"actor": admin.id, "from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00Z"},
        headers=admin.auth,
    )
    assert none.json()["total"] == 0


async def test_a_patch_that_changes_nothing_writes_no_audit_row(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Account, user: Account
) -> None:
    resp = await client.patch(
        f"/admin/users/{user.id}", json={"status": "active", "roles": ["user"]}, headers=admin.auth
    )
    assert resp.status_code == 200
    assert await _audit_rows(engine, f"user:{user.id}") == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [({"status": "blocked"}, "block"), ({"roles": ["user"]}, "admin role")],
)
async def test_an_admin_cannot_lock_themselves_out(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Account, body: Any, detail: str
) -> None:
    resp = await client.patch(f"/admin/users/{admin.id}", json=body, headers=admin.auth)
    assert resp.status_code == 409
    assert resp.headers["content-type"] == PROBLEM
    problem = resp.json()
    assert problem["type"].endswith("/admin-self-lockout")
    assert detail in problem["detail"]
    assert await _audit_rows(engine, f"user:{admin.id}") == []
    me = await client.get("/users/me", headers=admin.auth)
    assert me.json()["roles"] == ["user", "admin"]


async def test_an_admin_may_change_their_own_roles_keeping_admin(
    client: httpx.AsyncClient, admin: Account
) -> None:
    resp = await client.patch(
        f"/admin/users/{admin.id}", json={"roles": ["admin", "user"]}, headers=admin.auth
    )
    assert resp.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"roles": ["superuser"]},
        {"roles": []},
        {"status": "deleted"},
        {"status": "blocked", "email": "x@example.com"},
    ],
)
async def test_invalid_patches_are_422(
    client: httpx.AsyncClient, admin: Account, user: Account, body: Any
) -> None:
    resp = await client.patch(f"/admin/users/{user.id}", json=body, headers=admin.auth)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == PROBLEM


async def test_patching_an_unknown_or_deleted_user_is_404(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Account, user: Account
) -> None:
    resp = await client.patch(
        f"/admin/users/{uuid.uuid4()}", json={"status": "blocked"}, headers=admin.auth
    )
    assert resp.status_code == 404
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET status = 'deleted' WHERE id = :id"), {"id": user.id}
        )
    resp = await client.patch(
        f"/admin/users/{user.id}", json={"status": "active"}, headers=admin.auth
    )
    assert resp.status_code == 404


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE admin_audit SET action = 'nothing'",
        "DELETE FROM admin_audit",
        "TRUNCATE admin_audit",
    ],
)
async def test_the_audit_log_is_append_only_in_the_database(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Account, user: Account, statement: str
) -> None:
    resp = await client.patch(
        f"/admin/users/{user.id}", json={"status": "blocked"}, headers=admin.auth
    )
    assert resp.status_code == 200
    before = await _audit_rows(engine, f"user:{user.id}")
    assert len(before) == 1
    # The service's own role (it owns the schema) is refused too.
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    assert await _audit_rows(engine, f"user:{user.id}") == before


async def test_no_route_changes_the_audit_log(client: httpx.AsyncClient, admin: Account) -> None:
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        resp = await client.request(method, "/admin/audit", headers=admin.auth)
        assert resp.status_code == 405, method


async def test_login_and_refresh_record_one_activity_row_per_day(
    client: httpx.AsyncClient, engine: AsyncEngine, user: Account
) -> None:
    refreshed = await client.post("/auth/refresh", json={"refreshToken": user.refresh})
    assert refreshed.status_code == 200
    assert (await _login(client, user.email)).status_code == 200
    async with engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    text(
                        "SELECT day = (now() AT TIME ZONE 'UTC')::date FROM user_activity "
                        "WHERE user_id = :u"
                    ),
                    {"u": user.id},
                )
            )
            .scalars()
            .all()
        )
    assert rows == [True]


async def test_user_search_filters_sort_and_pagination(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Account
) -> None:
    marker = uuid.uuid4().hex[:10]
    people = [  # (local part, name, created_at, status, roles)
        ("carol", "Carol Li", "2026-03-01T10:00:00Z", "active", "{user}"),
        ("alice", "alice Lind", "2026-03-02T10:00:00Z", "active", "{user}"),
        ("bob", "Bob", "2026-03-03T10:00:00Z", "blocked", "{user}"),
        ("dave", "Dave", "2026-03-04T10:00:00Z", "active", "{user,admin}"),
        ("erin", "Erin_x", "2026-03-05T10:00:00Z", "active", "{user}"),
    ]
    ids: dict[str, str] = {}
    for local, name, created, status, roles in people:
        ids[local] = await _register(client, f"{local}.{marker}@example.com", name)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE users SET created_at = CAST(:c AS timestamptz), status = :s, "
                    "roles = CAST(:r AS text[]) WHERE id = :id"
                ),
                {"c": created, "s": status, "r": roles, "id": ids[local]},
            )

    async def search(**params: Any) -> dict[str, Any]:
        resp = await client.get(
            "/admin/users", params={"email": marker, **params}, headers=admin.auth
        )
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body

    def locals_of(body: dict[str, Any]) -> list[str]:
        return [item["email"].split(".")[0] for item in body["items"]]

    everyone = await search()
    assert everyone["total"] == 5
    assert locals_of(everyone) == ["erin", "dave", "bob", "alice", "carol"]  # newest first
    assert locals_of(await search(name="LI")) == ["alice", "carol"]  # case-insensitive
    assert locals_of(await search(status="blocked")) == ["bob"]
    assert locals_of(await search(role="admin")) == ["dave"]
    window = await search(createdFrom="2026-03-02T10:00:00Z", createdTo="2026-03-04T09:59:59Z")
    assert locals_of(window) == ["bob", "alice"]
    # A naive time is UTC.
    assert locals_of(await search(createdFrom="2026-03-05T10:00:00")) == ["erin"]
    # LIKE wildcards are literal characters in the filter.
    assert (await search(name="%"))["total"] == 0
    assert locals_of(await search(name="n_x")) == ["erin"]
    assert (await search(name="n_"))["total"] == 1

    by_name = await search(sort="name", order="asc")
    assert locals_of(by_name) == ["alice", "bob", "carol", "dave", "erin"]
    by_email_desc = await search(sort="email", order="desc")
    assert locals_of(by_email_desc) == ["erin", "dave", "carol", "bob", "alice"]

    page2 = await search(sort="name", order="asc", limit=2, page=2)
    assert (page2["page"], page2["limit"], page2["total"]) == (2, 2, 5)
    assert locals_of(page2) == ["carol", "dave"]
    page3 = await search(sort="name", order="asc", limit=2, page=3)
    assert locals_of(page3) == ["erin"]
    beyond = await search(limit=2, page=4)
    assert (beyond["items"], beyond["total"]) == ([], 5)


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "password"},
        {"order": "sideways"},
        {"status": "gone"},
        {"role": "root"},
        {"limit": 101},
        {"page": 0},
        {"createdFrom": "yesterday"},
    ],
)
async def test_user_search_rejects_values_outside_the_closed_sets(
    client: httpx.AsyncClient, admin: Account, params: dict[str, Any]
) -> None:
    resp = await client.get("/admin/users", params=params, headers=admin.auth)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == PROBLEM
    assert resp.json()["errors"][0]["path"].startswith("query.")


async def test_user_search_with_a_nul_character_matches_nothing(
    client: httpx.AsyncClient, admin: Account
) -> None:
    resp = await client.get("/admin/users", params={"email": "a\x00b"}, headers=admin.auth)
    assert resp.status_code == 200
    assert resp.json() == {"items": [], "page": 1, "limit": 20, "total": 0}
