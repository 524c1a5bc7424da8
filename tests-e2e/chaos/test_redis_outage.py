"""Redis down, through the gateway (gateway/README.md, "Redis outage: the choices"): rate limits
fail open (public routes keep working, without RateLimit-* headers), the token revocation check
fails closed (an authenticated request gets a 503 problem+json, never a 500), readiness reports
it, and everything recovers by itself when Redis is back."""

from __future__ import annotations

import httpx
import pytest

from e2e.accounts import register_and_login
from e2e.chaos import ChaosFleet, ok
from fitness_platform.testing import wait_until

# The package's fleet starts inside the first test's setup (~100 s on a loaded 2-core box).
pytestmark = [
    pytest.mark.timeout(600),
]

PROBLEM = "application/problem+json"


async def test_redis_outage_fails_rate_limits_open_and_revocation_closed(
    chaos: ChaosFleet, gw: httpx.AsyncClient
) -> None:
    acc = await register_and_login(gw, name="Redis outage")
    r = ok(await gw.get("/users/me", headers=acc.auth))
    assert "ratelimit-limit" in r.headers  # the limiter answers while Redis is up

    chaos.stop("redis")
    try:
        # Rate limits fail open: anonymous routes still work, unmetered.
        login = await gw.post("/auth/login", json={"email": acc.email, "password": acc.password})
        assert login.status_code == 200, login.text
        assert "ratelimit-limit" not in login.headers
        fresh = await register_and_login(gw, name="Registered during the outage")
        # The denylist fails closed: a token cannot be checked against revocations.
        r = await gw.get("/users/me", headers=acc.auth)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["status"] == 503
        assert "revocation" in r.json()["detail"]
        assert r.headers.get("retry-after", "").isdigit()
        ready = await gw.get("/health/ready")
        assert ready.status_code == 503
        assert "redis" in ready.json()["failing"]
    finally:
        chaos.start("redis")

    async def recovered() -> bool:
        return (await gw.get("/users/me", headers=acc.auth)).status_code == 200

    await wait_until(recovered, timeout=60, interval=0.3, message="gateway recovered by itself")
    ok(await gw.get("/users/me", headers=fresh.auth))
    assert (await gw.get("/health/ready")).status_code == 200
    # Revocation works again once Redis is back: a logged-out token is refused.
    ok(await gw.post("/auth/logout", headers=fresh.auth, json={"refreshToken": fresh.refresh}))
    assert (await gw.get("/users/me", headers=fresh.auth)).status_code == 401
