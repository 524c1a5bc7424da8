"""The gateway under uvicorn, proxying to a real upstream under uvicorn, with real Redis."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import redis

PROBLEM = "application/problem+json"


def _headers_seen(resp: httpx.Response) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for name, value in resp.json()["headers"]:
        seen.setdefault(name.lower(), []).append(value)
    return seen


def _assert_problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == PROBLEM
    body = resp.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert resp.headers["x-request-id"]
    return body


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_problem(client: httpx.Client) -> None:
    resp = client.get("/workouts")
    body = _assert_problem(resp, 401)
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert body["instance"] == "/workouts"


def test_good_token_forwards_identity_from_token_not_client(
    client: httpx.Client, signer: Any
) -> None:
    user_id = str(uuid.uuid4())
    token = signer.token(sub=user_id, roles=["user", "coach"])
    resp = client.get(
        "/workouts/7?page=2",
        headers={
            **_bearer(token),
            "X-User-Id": "00000000-0000-0000-0000-000000000001",
            "X-User-Roles": "admin",
            "X-User-Anything": "forged",
            "X-Request-ID": "req-abc.123",
            "Connection": "keep-alive, X-Drop-Me",
            "X-Drop-Me": "hop",
        },
    )
    assert resp.status_code == 200, resp.text
    echoed = resp.json()
    assert echoed["path"] == "/workouts/7"
    assert echoed["query"] == "page=2"
    seen = _headers_seen(resp)
    assert seen["x-user-id"] == [user_id]
    assert seen["x-user-roles"] == ["user,coach"]
    assert "x-user-anything" not in seen
    assert "x-drop-me" not in seen
    assert seen["authorization"] == [f"Bearer {token}"]  # services verify again
    assert seen["x-request-id"] == ["req-abc.123"]
    assert seen["x-forwarded-for"] == ["127.0.0.1"]
    assert seen["host"] == [client.base_url.netloc.decode()]  # public host kept
    traceparent = seen["traceparent"][0].split("-")
    assert len(traceparent) == 4
    assert len(traceparent[1]) == 32
    assert resp.headers["x-request-id"] == "req-abc.123"
    # Rate-limit headers on a successful response, too.
    assert int(resp.headers["ratelimit-limit"]) == 100000
    assert int(resp.headers["ratelimit-remaining"]) < 100000
    # Hop-by-hop headers of the upstream response are not passed on.
    assert "x-secret-hop" not in resp.headers


def test_traceparent_is_continued_and_bad_request_id_replaced(
    client: httpx.Client, signer: Any
) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    resp = client.get(
        "/goals",
        headers={
            **_bearer(signer.token()),
            "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01",
            "tracestate": "vendor=1",
            "X-Request-ID": "bad id with spaces\u00e9".encode("latin-1"),
        },
    )
    assert resp.status_code == 200
    seen = _headers_seen(resp)
    version, tid, parent, flags = seen["traceparent"][0].split("-")
    assert (version, tid, flags) == ("00", trace_id, "01")
    assert parent != "00f067aa0ba902b7"  # the gateway's own hop
    assert seen["tracestate"] == ["vendor=1"]
    rid = seen["x-request-id"][0]
    assert rid != "bad id with spaces"
    assert uuid.UUID(rid)
    assert resp.headers["x-request-id"] == rid


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda s: s.token(exp_in=-3600), id="expired"),
        pytest.param(lambda s: s.token(key=s.other_key), id="bad-signature"),
        pytest.param(lambda s: s.unsigned_token(), id="alg-none"),
        pytest.param(lambda s: s.token(aud="someone-else"), id="wrong-audience"),
        pytest.param(lambda s: s.token(iss="evil"), id="wrong-issuer"),
        pytest.param(lambda s: "not.a.jwt", id="garbage"),
    ],
)
def test_bad_tokens_are_401(client: httpx.Client, signer: Any, make_token: Any) -> None:
    resp = client.get("/workouts", headers=_bearer(make_token(signer)))
    _assert_problem(resp, 401)


def test_denylisted_jti_is_401(client: httpx.Client, signer: Any, redis_url: str) -> None:
    jti = uuid.uuid4().hex
    token = signer.token(jti=jti)
    assert client.get("/workouts", headers=_bearer(token)).status_code == 200
    r = redis.Redis.from_url(redis_url)
    try:
        r.set(f"auth:deny:{jti}", "1", ex=60)
    finally:
        r.close()
    body = _assert_problem(client.get("/workouts", headers=_bearer(token)), 401)
    assert "revoked" in body["detail"]


def test_admin_route_as_user_is_403_and_as_admin_passes(client: httpx.Client, signer: Any) -> None:
    user = client.get("/admin/users", headers=_bearer(signer.token(roles=["user"])))
    _assert_problem(user, 403)
    admin = client.get("/admin/users", headers=_bearer(signer.token(roles=["user", "admin"])))
    assert admin.status_code == 200
    assert admin.json()["path"] == "/admin/users"


def test_public_routes_need_no_token_and_get_no_identity(client: httpx.Client) -> None:
    resp = client.post(
        "/auth/login",
        json={"email": f"{uuid.uuid4().hex}@example.com", "password": "pw"},
        headers={"X-User-Id": "forged"},
    )
    assert resp.status_code == 200, resp.text
    seen = _headers_seen(resp)
    assert "x-user-id" not in seen
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    assert jwks.json()["keys"][0]["kty"] == "OKP"


def test_unknown_path_is_404_problem(client: httpx.Client) -> None:
    _assert_problem(client.get("/nope/nothing"), 404)
    _assert_problem(client.get("/workoutsX"), 404)


def test_dot_segments_are_refused(client: httpx.Client, signer: Any) -> None:
    # Raw path so httpx does not normalise it first.
    resp = client.send(
        client.build_request(
            "GET", httpx.URL("/auth/%2E%2E/admin/users"), headers=_bearer(signer.token())
        )
    )
    _assert_problem(resp, 400)


def test_upstream_down_is_503_naming_the_service(client: httpx.Client, signer: Any) -> None:
    body = _assert_problem(client.get("/media/assets", headers=_bearer(signer.token())), 503)
    assert body["service"] == "media"
    assert "media" in body["detail"]


def test_upstream_too_slow_is_504(client: httpx.Client, signer: Any) -> None:
    body = _assert_problem(client.get("/workouts/slow", headers=_bearer(signer.token())), 504)
    assert body["service"] == "training"


def test_body_over_limit_is_413(client: httpx.Client, signer: Any) -> None:
    big = b"{" + b" " * 5000 + b"}"
    declared = client.post(
        "/workouts",
        content=big,
        headers={**_bearer(signer.token()), "Content-Type": "application/json"},
    )
    _assert_problem(declared, 413)

    def chunks() -> Any:  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b" " * 1000

    streamed = client.post("/workouts", content=chunks(), headers=_bearer(signer.token()))
    _assert_problem(streamed, 413)


def test_body_under_limit_is_resent_upstream(client: httpx.Client, signer: Any) -> None:
    resp = client.post("/workouts", json={"durationMin": 30}, headers=_bearer(signer.token()))
    assert resp.status_code == 200
    assert resp.json()["body"] == '{"durationMin":30}'
    assert resp.json()["method"] == "POST"


def test_login_rate_limit_per_account(client: httpx.Client, knobs: Any) -> None:
    LOGIN_PER_ACCOUNT = knobs.login_per_account
    email = f"{uuid.uuid4().hex}@Example.com"
    for i in range(LOGIN_PER_ACCOUNT):
        # Case and whitespace variants are the same account.
        variant = email.upper() if i % 2 else f"  {email} "
        ok = client.post("/auth/login", json={"email": variant, "password": "x"})
        assert ok.status_code == 200, ok.text
        assert ok.headers["ratelimit-remaining"] == str(LOGIN_PER_ACCOUNT - 1 - i)
        # The body read for the limit is re-sent intact.
        assert '"password":"x"' in ok.json()["body"].replace(" ", "")
    refused = client.post("/auth/login", json={"email": email.lower(), "password": "x"})
    body = _assert_problem(refused, 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-limit"] == str(LOGIN_PER_ACCOUNT)
    assert "retry" in body["detail"].lower()
    # Another account from the same IP is unaffected.
    other = client.post("/auth/login", json={"email": f"{uuid.uuid4().hex}@x.io", "password": "x"})
    assert other.status_code == 200


def test_large_response_is_streamed_back(client: httpx.Client, signer: Any, knobs: Any) -> None:
    with client.stream("GET", "/progress/stream", headers=_bearer(signer.token())) as resp:
        assert resp.status_code == 200
        total = sum(len(c) for c in resp.iter_bytes())
    assert total == knobs.stream_bytes


def test_merged_openapi_has_upstream_paths(client: httpx.Client) -> None:
    resp = client.get("/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    paths = doc["paths"]
    assert "/nutrition/foods" in paths
    assert "/auth/login" in paths
    assert paths["/auth/login"]["post"]["security"] == []
    assert paths["/nutrition/foods"]["get"]["security"] == [{"bearerAuth": []}]
    assert "429" in paths["/nutrition/foods"]["get"]["responses"]
    assert "/internal/debug" not in paths  # not exposed by the route table
    assert "/metrics" not in paths
    assert "/health/ready" in paths  # the gateway's own
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "FoodOut" in doc["components"]["schemas"]
    assert "media" in doc["info"]["description"]  # reported as unreachable
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_health_and_metrics(client: httpx.Client, signer: Any) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["checks"] == {"redis": "ok"}
    assert body["upstreams"]["identity"] == "up"
    assert body["upstreams"]["media"] == "down"  # reported, not failing readiness
    client.get("/workouts")  # a 401
    metrics = client.get("/metrics").text
    assert "gateway_upstream_latency_seconds_bucket" in metrics
    assert "gateway_ratelimit_rejections_total" in metrics
    assert 'gateway_auth_failures_total{reason="missing"}' in metrics


def test_register_rate_limit_per_ip(make_gateway: Any) -> None:
    url = make_gateway(rate_register_per_ip="2/60", rate_register_per_account="100/60")
    ip_a, ip_b = f"192.0.2.{uuid.uuid4().int % 250}", "198.51.100.1"
    with httpx.Client(base_url=url, timeout=10) as client:

        def register(ip: str) -> httpx.Response:
            email = f"{uuid.uuid4().hex}@example.com"
            # uvicorn trusts X-Forwarded-For from loopback (its FORWARDED_ALLOW_IPS default).
            return client.post(
                "/auth/register", json={"email": email}, headers={"X-Forwarded-For": ip}
            )

        assert register(ip_a).status_code == 200
        second = register(ip_a)
        assert second.status_code == 200
        assert _headers_seen(second)["x-forwarded-for"] == [ip_a]
        refused = register(ip_a)
        _assert_problem(refused, 429)
        assert refused.headers["ratelimit-limit"] == "2"
        assert int(refused.headers["retry-after"]) >= 1
        assert register(ip_b).status_code == 200
        assert (
            'gateway_ratelimit_rejections_total{rule="register",scope="ip"}'
            in client.get("/metrics").text
        )


def test_tracing_gateway_opens_a_span_in_the_callers_trace(
    make_gateway: Any, signer: Any, dead_url: str
) -> None:
    url = make_gateway(otel_exporter_otlp_endpoint=dead_url)
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    with httpx.Client(base_url=url, timeout=10) as client:
        resp = client.get(
            "/goals",
            headers={
                **_bearer(signer.token()),
                "traceparent": f"00-{trace_id}-b7ad6b7169203331-01",
            },
        )
    assert resp.status_code == 200
    version, tid, parent, flags = _headers_seen(resp)["traceparent"][0].split("-")
    assert (version, tid, flags) == ("00", trace_id, "01")
    assert parent not in ("b7ad6b7169203331", "0" * 16)


def test_service_without_upstream_url_is_503(make_gateway: Any, upstream: Any, signer: Any) -> None:
    url = make_gateway(upstreams={"identity": upstream.url})  # a partial fleet
    with httpx.Client(base_url=url, timeout=10) as client:
        resp = client.get("/goals", headers=_bearer(signer.token()))
        body = _assert_problem(resp, 503)
        assert body["service"] == "goals"
        assert client.get("/users/me", headers=_bearer(signer.token())).status_code == 200
        assert "/auth/login" in client.get("/openapi.json").json()["paths"]


def test_upstream_closing_the_connection_is_502(
    make_gateway: Any, upstream: Any, rude_url: str, signer: Any
) -> None:
    url = make_gateway(upstreams={"identity": upstream.url, "goals": rude_url})
    with httpx.Client(base_url=url, timeout=10) as client:
        get = client.get("/goals", headers=_bearer(signer.token()))
        post = client.post("/goals", json={"kind": "weight"}, headers=_bearer(signer.token()))
        metrics = client.get("/metrics").text
    assert _assert_problem(get, 502)["service"] == "goals"
    assert _assert_problem(post, 502)["service"] == "goals"
    assert 'gateway_upstream_errors_total{kind="broken",service="goals"}' in metrics


def test_response_chunks_reach_the_client_before_the_upstream_finishes(
    make_gateway: Any, signer: Any, stream_gate: Any
) -> None:
    url = make_gateway(upstream_timeout_s=15)
    with (
        httpx.Client(base_url=url, timeout=15) as client,
        client.stream("GET", "/progress/gated", headers=_bearer(signer.token())) as resp,
    ):
        assert resp.status_code == 200
        chunks = resp.iter_raw()
        received = b""
        while b"first;" not in received:
            received += next(chunks)
        stream_gate.set()  # only now may the upstream send the rest
        received += b"".join(chunks)
    assert received == b"first;gate-opened"
