"""An exported OpenTelemetry span per proxied request (used only when OTLP export is on)."""

from __future__ import annotations

from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import Status, StatusCode
from starlette.types import Scope


def start_span(scope: Scope, headers: dict[bytes, bytes]) -> tuple[Any, str, str, str]:
    carrier = {
        k: headers[k.encode()].decode("latin-1")
        for k in ("traceparent", "tracestate")
        if k.encode() in headers
    }
    span = trace.get_tracer("gateway.proxy").start_span(
        f"{scope['method']} proxy",
        context=propagate.extract(carrier),
        kind=trace.SpanKind.SERVER,
        attributes={"http.request.method": scope["method"], "url.path": scope["path"]},
    )
    ctx = span.get_span_context()
    trace_id, span_id = format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")
    return span, f"00-{trace_id}-{span_id}-{int(ctx.trace_flags):02x}", trace_id, span_id


def end_span(span: Any, method: str, state: dict[str, Any]) -> None:
    span.set_attribute("http.response.status_code", state["status"])
    if state.get("route"):
        span.update_name(f"{method} {state['route']}")
        span.set_attribute("http.route", state["route"])
    if state["service"]:
        span.set_attribute("gateway.upstream", state["service"])
    if state["status"] >= 500:
        span.set_status(Status(StatusCode.ERROR))
    span.end()
