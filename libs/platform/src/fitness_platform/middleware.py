"""Pure ASGI middleware (BaseHTTPMiddleware costs a task and a copy per request)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import Token

from fastapi import HTTPException
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fitness_platform.logging import correlation_id_var, user_id_var
from fitness_platform.observability import UNMEASURED_HANDLERS, record_http
from fitness_platform.problems import internal_error_response, problem_response

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:@+=/-]{1,128}$")
_QUIET_PATHS = frozenset({"/metrics", "/health/live", "/health/ready"})

_W3C = TraceContextTextMapPropagator()

access_log = logging.getLogger("fitness_platform.access")
error_log = logging.getLogger("fitness_platform.errors")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            try:
                return str(value.decode("latin-1"))
            except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
                return None
    return None


def _attach_incoming_trace(scope: Scope) -> Token[Context] | None:
    """Make the caller's W3C trace context current when no span is (tracing off).

    Without OpenTelemetry's middleware (only installed when exporting) nothing else reads
    ``traceparent``; attaching it gives log lines the caller's trace_id/span_id and lets
    ``current_traceparent()`` carry the trace into outbox events, for one regex per request.
    Returns the token to detach, or None.
    """
    if trace.get_current_span().get_span_context().is_valid:
        return None  # a real server span (tracing on) is already current
    traceparent = _header(scope, b"traceparent")
    if not traceparent:
        return None
    carrier = {"traceparent": traceparent}
    if tracestate := _header(scope, b"tracestate"):
        carrier["tracestate"] = tracestate
    ctx = _W3C.extract(carrier)
    if not trace.get_current_span(ctx).get_span_context().is_valid:
        return None  # malformed header: no trace ids rather than made-up ones
    return otel_context.attach(ctx)


def valid_request_id(value: str | None) -> str:
    """Accept a client/gateway id only if short and in a safe charset; else make a new one."""
    if value and _REQUEST_ID_RE.fullmatch(value):
        return value
    return str(uuid.uuid4())


class RequestContextMiddleware:
    """Correlation id in/out, context vars, access log, and a last-resort 500 problem.

    ``max_body_bytes`` also applies ``BodySizeLimitMiddleware``'s limit and ``record_metrics``
    counts the request in the three HTTP metrics (``observability.record_http``), so a service
    app pays for one middleware layer instead of three (``create_service_app`` sets both).
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int | None = None, record_metrics: bool = False
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.record_metrics = record_metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = valid_request_id(_header(scope, b"x-request-id"))
        cid_token = correlation_id_var.set(request_id)
        uid_token = user_id_var.set(None)
        trace_token = _attach_incoming_trace(scope)
        status = 500
        response_started = False
        request_id_header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append(request_id_header)
                message = {**message, "headers": headers}
            await send(message)

        try:
            if self.max_body_bytes is None:
                await self.app(scope, receive, send_wrapper)
            else:
                await _limit_body(self.app, self.max_body_bytes, scope, receive, send_wrapper)
        except Exception:
            error_log.exception("unhandled exception", extra={"path": scope.get("path")})
            if response_started:
                raise
            response = internal_error_response(scope.get("path"))
            await response(scope, receive, send_wrapper)
        finally:
            duration = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None)
            path = scope.get("path", "")
            method = scope.get("method", "")
            if self.record_metrics and (template or path) not in UNMEASURED_HANDLERS:
                record_http(method, str(status), template or "none", duration)
            access_log.log(
                logging.DEBUG if path in _QUIET_PATHS and status < 400 else logging.INFO,
                "request",
                extra={
                    "method": method,
                    "route": template or path,
                    "status": status,
                    "duration_ms": round(duration * 1000, 2),
                },
            )
            user_id_var.reset(uid_token)
            correlation_id_var.reset(cid_token)
            if trace_token is not None:
                otel_context.detach(trace_token)


def _body_limit_detail(max_bytes: int) -> str:
    return f"The request body exceeds the limit of {max_bytes} bytes."


async def _limit_body(
    app: ASGIApp, max_bytes: int, scope: Scope, receive: Receive, send: Send
) -> None:
    """413 for bodies over ``max_bytes``: by Content-Length up front, else while streaming."""
    declared = _header(scope, b"content-length")
    if declared is not None:
        try:
            too_big = int(declared) > max_bytes
        except ValueError:
            response = problem_response(
                400, detail="Invalid Content-Length header.", instance=scope.get("path")
            )
            await response(scope, receive, send)
            return
        if too_big:
            response = problem_response(
                413, detail=_body_limit_detail(max_bytes), instance=scope.get("path")
            )
            await response(scope, receive, send)
            return

    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                # FastAPI re-raises its own HTTPException from body parsing (anything else
                # becomes a 400), so the problem handler renders this as a 413.
                raise HTTPException(413, detail=_body_limit_detail(max_bytes))
        return message

    await app(scope, limited_receive, send)


class BodySizeLimitMiddleware:
    """413 for bodies over ``max_bytes``: by Content-Length up front, else while streaming.
    (``RequestContextMiddleware(max_body_bytes=...)`` does the same without a layer of its own.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await _limit_body(self.app, self.max_bytes, scope, receive, send)
