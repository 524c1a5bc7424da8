"""The walking skeleton through the gateway over real HTTP (issue: walking skeleton, tests/e2e)."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from e2e.accounts import Account, register_and_login
from fitness_stack.endpoints import Endpoints
from fitness_stack.pytest_plugin import FLEET_LOGIN_PER_ACCOUNT

PROBLEM = "application/problem+json"


async def test_register_login_me_refresh_logout(gw: httpx.AsyncClient) -> None:
    acc = await register_and_login(gw, name="Flow")

    me = await gw.get("/users/me", headers=acc.auth)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == acc.id
    assert me.json()["email"] == acc.email

    r = await gw.post("/auth/refresh", json={"refreshToken": acc.refresh})
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["refreshToken"] != acc.refresh
    new_auth = {"Authorization": f"Bearer {new['accessToken']}"}
    assert (await gw.get("/users/me", headers=new_auth)).status_code == 200

    r = await gw.post("/auth/logout", headers=new_auth, json={"refreshToken": new["refreshToken"]})
    assert r.status_code == 204, r.text

    refused = await gw.get("/users/me", headers=new_auth)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert refused.json()["status"] == 401
    # The refresh token of the logged-out family is dead too.
    r = await gw.post("/auth/refresh", json={"refreshToken": new["refreshToken"]})
    assert r.status_code == 401


async def test_no_token_is_401_problem(gw: httpx.AsyncClient) -> None:
    r = await gw.get("/users/me")
    assert r.status_code == 401
    body = r.json()
    assert r.headers["content-type"].startswith(PROBLEM)
    assert {"type", "title", "status", "correlationId"} <= set(body)


async def test_forged_user_header_is_ignored(gw: httpx.AsyncClient) -> None:
    alice = await register_and_login(gw, name="Alice")
    bob = await register_and_login(gw, name="Bob")
    r = await gw.get(
        "/users/me", headers={**alice.auth, "X-User-Id": bob.id, "X-User-Roles": "admin"}
    )
    assert r.status_code == 200
    assert r.json()["id"] == alice.id
    assert "admin" not in r.json()["roles"]


async def test_login_rate_limit_per_account(gw: httpx.AsyncClient) -> None:
    # An address nobody registered: every attempt is a 401 until the per-account limit trips.
    email = f"nobody-{uuid.uuid4().hex[:10]}@example.com"
    statuses = []
    for _ in range(FLEET_LOGIN_PER_ACCOUNT + 2):
        r = await gw.post("/auth/login", json={"email": email, "password": "wrong-pass-1"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) >= 1
            assert "RateLimit-Limit" in r.headers
            assert r.headers["content-type"].startswith(PROBLEM)
            break
    assert statuses == [401] * FLEET_LOGIN_PER_ACCOUNT + [429]


@pytest.mark.parametrize(
    "path",
    ["/workouts", "/exercises", "/progress/weight", "/goals", "/media", "/nutrition/history"],
)
async def test_every_service_answers_through_the_gateway(
    gw: httpx.AsyncClient, account: Account, path: str
) -> None:
    r = await gw.get(path, headers=account.auth)
    assert r.status_code == 200, r.text
    assert {"items", "page", "limit", "total"} <= set(r.json())
    # and without a token the gateway refuses before any service sees the request
    anonymous = await gw.get(path)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith(PROBLEM)


async def test_merged_openapi_and_docs(gw: httpx.AsyncClient) -> None:
    spec = (await gw.get("/openapi.json")).json()
    assert "/auth/register" in spec["paths"]
    assert "/users/me" in spec["paths"]
    # every service's routes are merged in
    for path in (
        "/nutrition/me",
        "/workouts",
        "/exercises",
        "/progress/weight",
        "/goals",
        "/media",
    ):
        assert path in spec["paths"], path
    routed = (
        "/auth",
        "/users",
        "/admin",
        "/nutrition",
        "/workouts",
        "/exercises",
        "/progress",
        "/goals",
        "/media",
        "/.well-known",
    )
    gateway_own = ("/health", "/metrics", "/openapi.json", "/docs")
    # Upstream internals (their /health, /metrics) are not merged in; only routed paths are.
    assert all(p.startswith(routed + gateway_own) for p in spec["paths"])
    docs = await gw.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_registration_event_reaches_kafka(gw: httpx.AsyncClient, e2e: Endpoints) -> None:
    acc = await register_and_login(gw, name="Evented")
    consumer = AIOKafkaConsumer(
        "identity.user",
        bootstrap_servers=e2e.kafka_bootstrap,
        group_id=f"e2e-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        found = None
        # getmany's timeout is the deadline per poll; the loop is bounded.
        for _ in range(30):
            batches = await consumer.getmany(timeout_ms=1000)
            for msgs in batches.values():
                for m in msgs:
                    headers = {k: v.decode() for k, v in m.headers}
                    if (
                        headers.get("ce_subject") == acc.id
                        and headers.get("ce_type") == "identity.user.registered.v1"
                    ):
                        found = (headers, json.loads(m.value))
            if found:
                break
        assert found is not None, "no identity event for the new user within 30 s"
        headers, payload = found
        assert headers["ce_type"] == "identity.user.registered.v1"
        assert headers["ce_specversion"] == "1.0"
        assert payload["userId"] == acc.id
    finally:
        await consumer.stop()


async def test_deleting_the_account_ends_every_session_at_the_gateway(
    gw: httpx.AsyncClient,
) -> None:
    phone = await register_and_login(gw, name="Two Devices")
    login = await gw.post("/auth/login", json={"email": phone.email, "password": phone.password})
    assert login.status_code == 200, login.text
    tablet = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    assert (await gw.get("/users/me", headers=tablet)).status_code == 200

    assert (await gw.delete("/users/me", headers=phone.auth)).status_code == 204
    # The other device's access token was issued before the deletion: refused at once, by the
    # gateway's revocation check, not 15 minutes later when it expires.
    refused = await gw.get("/users/me", headers=tablet)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Token has been revoked."
