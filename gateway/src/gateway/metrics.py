"""Gateway business metrics (the default registry, exposed at ``/metrics``)."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram

PROXIED = Counter(
    "gateway_requests_total",
    "Requests handled by the proxy, by upstream service and response status",
    ["service", "method", "status"],
)
UPSTREAM_LATENCY = Histogram(
    "gateway_upstream_latency_seconds",
    "Time from sending the request upstream to receiving the response headers",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
UPSTREAM_ERRORS = Counter(
    "gateway_upstream_errors_total",
    "Upstream failures answered by the gateway (unavailable = 503, timeout = 504, broken = 502)",
    ["service", "kind"],
)
RATE_LIMITED = Counter(
    "gateway_ratelimit_rejections_total",
    "Requests refused with 429, by rule and key scope",
    ["rule", "scope"],
)
RATE_LIMIT_BACKEND_ERRORS = Counter(
    "gateway_ratelimit_backend_errors_total",
    "Rate-limit checks skipped because Redis did not answer (requests let through: fail open)",
)
AUTH_FAILURES = Counter(
    "gateway_auth_failures_total",
    "Requests refused by the gateway's token checks",
    ["reason"],
)


# Labelled children by label values: ``labels()`` validates and takes a lock on every call.
_proxied: dict[tuple[str, str, str], Any] = {}
_upstream_latency: dict[str, Any] = {}


def count_proxied(service: str, method: str, status: str) -> None:
    child = _proxied.get((service, method, status))
    if child is None:
        child = _proxied[(service, method, status)] = PROXIED.labels(service, method, status)
    child.inc()


def observe_upstream_latency(service: str, seconds: float) -> None:
    child = _upstream_latency.get(service)
    if child is None:
        child = _upstream_latency[service] = UPSTREAM_LATENCY.labels(service)
    child.observe(seconds)
