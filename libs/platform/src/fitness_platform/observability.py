"""Prometheus metrics and OpenTelemetry tracing (DESIGN §8)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator

if TYPE_CHECKING:
    from fitness_platform.settings import ServiceSettings

log = logging.getLogger("fitness_platform.observability")


def setup_metrics(app: FastAPI) -> Instrumentator:
    """HTTP metrics by route template, exposed at ``/metrics`` (left out of the OpenAPI)."""
    instrumentator = Instrumentator(
        should_group_status_codes=False,
        excluded_handlers=["/metrics", "/health/live", "/health/ready"],
    )
    instrumentator.instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
    return instrumentator


def setup_tracing(app: FastAPI | None, settings: ServiceSettings) -> bool:
    """Install a tracer provider; export over OTLP/HTTP only when an endpoint is configured.

    Returns True when exporting. W3C ``traceparent`` propagation works either way.
    """
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": settings.service_name,
                "deployment.environment": settings.environment,
            }
        )
    )
    exporting = False
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        exporting = True
    # set_tracer_provider only takes effect once per process; later calls log a warning.
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)
    if app is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls="/metrics,/health/live,/health/ready")
    return exporting


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to carry it into Kafka headers."""
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")
