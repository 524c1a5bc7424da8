"""Prometheus metrics and OpenTelemetry tracing (DESIGN §8)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.metrics import Info

if TYPE_CHECKING:
    from fitness_platform.settings import ServiceSettings

log = logging.getLogger("fitness_platform.observability")


# The three HTTP metrics the dashboards and alert rules read, with the instrumentator's default
# names, labels and buckets. Its default set also records request and response size summaries
# on every request (five metrics): nothing reads those, so they are not recorded.
# Module-level: every app in a process (tests build many) shares one registration.
HTTP_REQUESTS = Counter(
    "http_requests_total",
    "Total number of requests by method, status and handler.",
    ["method", "status", "handler"],
)
HTTP_LATENCY_HIGHR = Histogram(
    "http_request_duration_highr_seconds",
    "Latency with many buckets but no API specific labels (for percentiles).",
    buckets=(
        0.01,
        0.025,
        0.05,
        0.075,
        0.1,
        0.25,
        0.5,
        0.75,
        1,
        1.5,
        2,
        2.5,
        3,
        3.5,
        4,
        4.5,
        5,
        7.5,
        10,
        30,
        60,
        float("inf"),
    ),
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Latency with only few buckets by handler (for SLIs per route).",
    ["method", "handler"],
    buckets=(0.1, 0.5, 1, float("inf")),
)


# Paths whose requests are not counted (the instrumentator's ``excluded_handlers``).
UNMEASURED_HANDLERS = frozenset({"/metrics", "/health/live", "/health/ready"})
# (method, status, handler) → the labelled children: ``labels()`` validates and locks per call.
_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def record_http(method: str, status: str, handler: str, duration: float) -> None:
    """Count one request in the three HTTP metrics (``handler`` = route template or "none")."""
    key = (method, status, handler)
    pair = _children.get(key)
    if pair is None:
        pair = (HTTP_REQUESTS.labels(method, status, handler), HTTP_LATENCY.labels(method, handler))
        _children[key] = pair
    pair[0].inc()
    HTTP_LATENCY_HIGHR.observe(duration)
    pair[1].observe(duration)


def _record(info: Info) -> None:
    record_http(info.method, info.modified_status, info.modified_handler, info.modified_duration)


def expose_metrics(app: FastAPI) -> None:
    """``GET /metrics`` (the process registry, left out of the OpenAPI) without the
    instrumentator's middleware: ``create_service_app`` records the HTTP metrics in
    ``RequestContextMiddleware`` instead (one layer less, no per-request route search)."""

    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)


def setup_metrics(app: FastAPI) -> Instrumentator:
    """HTTP metrics by route template through prometheus-fastapi-instrumentator's middleware,
    exposed at ``/metrics`` (left out of the OpenAPI); the gateway's own small app uses it."""
    instrumentator = Instrumentator(
        should_group_status_codes=False,
        excluded_handlers=sorted(UNMEASURED_HANDLERS),
    )
    instrumentator.add(_record)
    instrumentator.instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
    return instrumentator


def start_metrics_server(
    settings: ServiceSettings, *, port: int | None = None, host: str | None = None
) -> int | None:
    """Serve the process's Prometheus registry at ``/metrics`` from a daemon thread.

    For processes without an HTTP API (workers, consumers; ``run_relay`` uses it too). Port:
    ``port``, else ``worker_metrics_port`` (``<NAME>_WORKER_METRICS_PORT``), else
    ``relay_metrics_port``; None = no server. Address: ``host``, else ``metrics_host`` (default
    127.0.0.1 in dev/test, 0.0.0.0 otherwise). Returns the bound port (0 picks a free one).
    """
    from prometheus_client import start_http_server

    if port is None:
        port = (
            settings.worker_metrics_port
            if settings.worker_metrics_port is not None
            else settings.relay_metrics_port
        )
    if port is None:
        return None
    addr = host or settings.resolved_metrics_host
    server, _thread = start_http_server(port, addr=addr)
    bound = int(server.server_port)
    log.info("metrics server started", extra={"metrics_addr": addr, "metrics_port": bound})
    return bound


def setup_tracing(app: FastAPI | None, settings: ServiceSettings) -> bool:
    """Export and instrument only when ``otel_exporter_otlp_endpoint`` is set; returns that.

    Without an endpoint nothing is installed: no SDK tracer provider (FastAPI ≥ 0.165 records
    its own request spans as soon as one is global) and no instrumentation, because spans
    nobody exports would cost CPU on every request. Log correlation and propagation into
    events still work: ``RequestContextMiddleware`` makes the incoming ``traceparent`` the
    current context, and the no-op tracer keeps that context for any span started under it.
    """
    if not settings.otel_exporter_otlp_endpoint:
        return False
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": settings.service_name,
                "deployment.environment": settings.environment,
            }
        )
    )
    endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    # set_tracer_provider only takes effect once per process; later calls log a warning.
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)
    if app is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls="/metrics,/health/live,/health/ready")
    return True


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to carry it into Kafka headers."""
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")
