"""Redis outage: rate limits fail open (logged + counted), the denylist fails closed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest


@pytest.fixture(scope="module")
def redisless(make_gateway: Callable[..., str], dead_url: str) -> str:
    port = dead_url.rsplit(":", 1)[1]
    return make_gateway(redis_url=f"redis://127.0.0.1:{port}/0")


def test_rate_limit_fails_open_when_redis_is_down(redisless: str) -> None:
    with httpx.Client(base_url=redisless, timeout=10) as client:
        for _ in range(5):  # more than the per-account login limit
            resp = client.post("/auth/login", json={"email": "same@example.com", "password": "x"})
            assert resp.status_code == 200, resp.text
            assert "ratelimit-limit" not in resp.headers
        metrics = client.get("/metrics").text
    line = next(
        ln
        for ln in metrics.splitlines()
        if ln.startswith("gateway_ratelimit_backend_errors_total ")
    )
    assert float(line.split()[1]) >= 5


def test_denylist_fails_closed_when_redis_is_down(redisless: str, signer: Any) -> None:
    with httpx.Client(base_url=redisless, timeout=10) as client:
        resp = client.get("/workouts", headers={"Authorization": f"Bearer {signer.token()}"})
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"
    assert "revocation" in resp.json()["detail"]
    assert resp.headers["retry-after"] == "1"


def test_denylist_can_be_configured_to_fail_open(
    make_gateway: Callable[..., str], dead_url: str, signer: Any
) -> None:
    port = dead_url.rsplit(":", 1)[1]
    url = make_gateway(redis_url=f"redis://127.0.0.1:{port}/0", denylist_fail_open=True)
    user_id = str(uuid.uuid4())
    with httpx.Client(base_url=url, timeout=10) as client:
        resp = client.get(
            "/workouts", headers={"Authorization": f"Bearer {signer.token(sub=user_id)}"}
        )
    assert resp.status_code == 200
    seen = {k.lower(): v for k, v in resp.json()["headers"]}
    assert seen["x-user-id"] == user_id


def test_readiness_fails_without_redis(redisless: str) -> None:
    with httpx.Client(base_url=redisless, timeout=10) as client:
        resp = client.get("/health/ready")
        live = client.get("/health/live")
    assert resp.status_code == 503
    body = resp.json()
    assert body["failing"] == ["redis"]
    assert body["upstreams"]["identity"] == "up"
    assert live.status_code == 200
