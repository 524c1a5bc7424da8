"""Correlation ids in and out, context for logs, JSON log lines."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from fastapi import FastAPI
from opentelemetry import trace

from fitness_platform.app import create_service_app
from fitness_platform.auth import CurrentUserDep
from fitness_platform.logging import JsonFormatter, correlation_id_var, user_id_var
from fitness_platform.middleware import RequestContextMiddleware, valid_request_id
from fitness_platform.observability import current_traceparent
from fitness_platform.problems import install_problem_handlers
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import TokenFactory

TOKENS = TokenFactory()


@pytest.fixture
def log_stream() -> AsyncIterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("svc"))
    access = logging.getLogger("fitness_platform.access")
    access.addHandler(handler)
    old_level = access.level
    access.setLevel(logging.INFO)
    yield stream
    access.removeHandler(handler)
    access.setLevel(old_level)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.settings = ServiceSettings(jwks_json=TOKENS.jwks_json)
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)

    @app.get("/ctx")
    async def ctx() -> dict[str, str | None]:
        return {"cid": correlation_id_var.get()}

    @app.get("/trace")
    async def trace_ids() -> dict[str, str | None]:
        ctx = trace.get_current_span().get_span_context()
        return {
            "traceId": format(ctx.trace_id, "032x") if ctx.is_valid else None,
            "traceparent": current_traceparent(),
        }

    @app.get("/me")
    async def me(user: CurrentUserDep) -> dict[str, str | None]:
        return {"uid": user_id_var.get()}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_request_id_is_echoed_and_in_context(client: httpx.AsyncClient) -> None:
    resp = await client.get("/ctx", headers={"X-Request-ID": "abc-123"})
    assert resp.headers["x-request-id"] == "abc-123"
    assert resp.json() == {"cid": "abc-123"}


@pytest.mark.parametrize("bad", ["", "x" * 129, "has space", "semi;colon", "<script>"])
async def test_bad_request_id_is_replaced(client: httpx.AsyncClient, bad: str) -> None:
    resp = await client.get("/ctx", headers={"X-Request-ID": bad})
    new = resp.headers["x-request-id"]
    assert new != bad
    assert len(new) == 36  # uuid4
    assert resp.json() == {"cid": new}


async def test_generated_when_absent(client: httpx.AsyncClient) -> None:
    a = (await client.get("/ctx")).headers["x-request-id"]
    b = (await client.get("/ctx")).headers["x-request-id"]
    assert a != b


async def test_context_is_reset_after_request(client: httpx.AsyncClient) -> None:
    await client.get("/ctx", headers={"X-Request-ID": "leak-check"})
    assert correlation_id_var.get() is None


async def test_access_log_line(client: httpx.AsyncClient, log_stream: io.StringIO) -> None:
    sub = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
    resp = await client.get("/me", headers={"X-Request-ID": "log-1", **TOKENS.headers(sub)})
    assert resp.json() == {"uid": sub}
    lines = [orjson.loads(x) for x in log_stream.getvalue().splitlines()]
    line = next(x for x in lines if x.get("correlation_id") == "log-1")
    assert line["msg"] == "request"
    assert line["method"] == "GET"
    assert line["route"] == "/me"
    assert line["status"] == 200
    assert line["user_id"] == sub
    assert line["service"] == "svc"
    assert isinstance(line["duration_ms"], float)


def test_valid_request_id() -> None:
    assert valid_request_id("0af7651916cd43dd") == "0af7651916cd43dd"
    assert valid_request_id(None) != valid_request_id(None)


TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


@pytest.fixture
def no_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tracing off, whatever an earlier test (an OTLP endpoint set) left as global provider:
    FastAPI's own request spans only run under a configured provider."""
    monkeypatch.setattr(trace, "get_tracer_provider", trace.ProxyTracerProvider)


async def test_incoming_traceparent_is_the_context_without_tracing(
    no_tracing: None, client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    resp = await client.get("/trace", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"})
    body = resp.json()
    assert body["traceId"] == TRACE_ID
    # Carried on into outbox events unchanged (no local span: the caller's span is the parent).
    assert body["traceparent"] == f"00-{TRACE_ID}-{PARENT_ID}-01"
    line = orjson.loads(log_stream.getvalue().splitlines()[-1])
    assert (line["trace_id"], line["span_id"]) == (TRACE_ID, PARENT_ID)
    # Detached after the request: nothing leaks into the next one.
    assert not trace.get_current_span().get_span_context().is_valid
    assert (await client.get("/trace")).json() == {"traceId": None, "traceparent": None}


async def test_malformed_traceparent_is_ignored(
    no_tracing: None, client: httpx.AsyncClient
) -> None:
    for bad in ("00-" + "0" * 32 + f"-{PARENT_ID}-01", "garbage", f"00-{TRACE_ID}-zz-01"):
        resp = await client.get("/trace", headers={"traceparent": bad})
        assert resp.status_code == 200
        assert resp.json()["traceId"] is None


def test_tracing_is_installed_only_when_exporting(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[object] = []
    # Recorded, not installed: a global SDK provider would turn on FastAPI's own request
    # spans for every later test in this process.
    monkeypatch.setattr(trace, "set_tracer_provider", installed.append)
    monkeypatch.setattr(trace, "get_tracer_provider", trace.ProxyTracerProvider)

    def instrumented(settings: ServiceSettings) -> bool:
        app = create_service_app(settings, title="t", configure_logs=False, database=False)
        return bool(getattr(app, "_is_instrumented_by_opentelemetry", False))

    assert not instrumented(ServiceSettings())
    assert installed == []
    # Port 9 (discard): nothing is sent by this test, the exporter only batches.
    assert instrumented(ServiceSettings(otel_exporter_otlp_endpoint="http://127.0.0.1:9"))
    assert len(installed) == 1
