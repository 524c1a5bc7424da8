"""Builds the Grafana dashboards in dashboards/*.json (committed; a test checks they match).

    python infra/grafana/build_dashboards.py          # rewrite the JSON files
    python infra/grafana/build_dashboards.py --check  # exit 1 if a file is out of date

Every panel queries through the `$datasource` variable, so the same JSON works with the compose
Prometheus and with any Prometheus datasource of a cluster's Grafana. Labels: job = service,
process = api | relay | worker (infra/prometheus/prometheus.yml and the chart's monitors).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"
JOB = 'job=~"$job"'
PANEL_HEIGHT = 8
QUANTILES = ("0.5", "0.9", "0.99")


def _variables(job_metric: str) -> dict[str, Any]:
    return {
        "list": [
            {
                "name": "datasource",
                "label": "Data source",
                "type": "datasource",
                "query": "prometheus",
                "current": {},
                "hide": 0,
                "refresh": 1,
                "options": [],
            },
            {
                "name": "job",
                "label": "Service",
                "type": "query",
                "datasource": DS,
                "query": {"query": f"label_values({job_metric}, job)", "refId": "jobs"},
                "definition": f"label_values({job_metric}, job)",
                "multi": True,
                "includeAll": True,
                "allValue": ".*",
                "current": {"text": "All", "value": "$__all"},
                "refresh": 2,
                "sort": 1,
                "hide": 0,
                "options": [],
            },
        ]
    }


class Board:
    """Lays panels out left to right on Grafana's 24-column grid."""

    def __init__(self) -> None:
        self.panels: list[dict[str, Any]] = []
        self.x = 0
        self.y = 0

    def row(self, title: str) -> None:
        if self.x:
            self.x, self.y = 0, self.y + PANEL_HEIGHT
        self._add({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)
        self.x, self.y = 0, self.y + 1

    def graph(
        self,
        title: str,
        queries: list[tuple[str, str]],
        unit: str,
        *,
        width: int = 12,
        description: str = "",
    ) -> None:
        if self.x + width > 24:
            self.x, self.y = 0, self.y + PANEL_HEIGHT
        panel = {
            "type": "timeseries",
            "title": title,
            "description": description,
            "datasource": DS,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {
                "legend": {
                    "displayMode": "table",
                    "placement": "bottom",
                    "calcs": ["mean", "max", "lastNotNull"],
                },
                "tooltip": {"mode": "multi", "sort": "desc"},
            },
            "targets": [
                {"refId": chr(ord("A") + i), "datasource": DS, "expr": expr, "legendFormat": legend}
                for i, (expr, legend) in enumerate(queries)
            ],
        }
        self._add(panel, width, PANEL_HEIGHT)
        self.x += width
        if self.x >= 24:
            self.x, self.y = 0, self.y + PANEL_HEIGHT

    def _add(self, panel: dict[str, Any], width: int, height: int) -> None:
        panel["id"] = len(self.panels) + 1
        panel["gridPos"] = {"h": height, "w": width, "x": self.x, "y": self.y}
        self.panels.append(panel)

    def dashboard(
        self, uid: str, title: str, description: str, job_metric: str, tags: list[str]
    ) -> dict[str, Any]:
        return {
            "uid": uid,
            "title": title,
            "description": description,
            "tags": ["fitness", *tags],
            "timezone": "utc",
            "editable": True,
            "schemaVersion": 39,
            "version": 1,
            "refresh": "30s",
            "time": {"from": "now-3h", "to": "now"},
            "templating": _variables(job_metric),
            "annotations": {"list": []},
            "panels": self.panels,
        }


def _ratio(selector: str) -> str:
    total = f"sum by (job) (rate(http_requests_total{{{JOB}}}[{RATE}]))"
    part = f"sum by (job) (rate(http_requests_total{{{JOB}, {selector}}}[{RATE}]))"
    return f"{part} / {total}"


def fleet_overview() -> dict[str, Any]:
    b = Board()
    b.row("Traffic and errors")
    b.graph(
        "Requests per second",
        [(f"sum by (job) (rate(http_requests_total{{{JOB}}}[{RATE}]))", "{{job}}")],
        "reqps",
        description="prometheus-fastapi-instrumentator's http_requests_total "
        "(excludes /metrics and /health/*).",
    )
    b.graph(
        "5xx ratio",
        [(_ratio('status=~"5.."'), "{{job}}")],
        "percentunit",
        description="Share of responses with a 5xx status. "
        "Alert FitnessHigh5xxRatio fires above 5 % for 10 min.",
    )
    b.graph(
        "Responses by status",
        [
            (
                f"sum by (job, status) (rate(http_requests_total{{{JOB}}}[{RATE}]))",
                "{{job}} {{status}}",
            )
        ],
        "reqps",
    )
    b.graph(
        "4xx ratio",
        [(_ratio('status=~"4.."'), "{{job}}")],
        "percentunit",
        description="Client errors: validation (422), auth (401/403), rate limits (429), 404.",
    )
    b.row("Latency")
    for q in QUANTILES:
        b.graph(
            f"p{round(float(q) * 100)} latency",
            [
                (
                    f"histogram_quantile({q}, sum by (job, le) "
                    f"(rate(http_request_duration_highr_seconds_bucket{{{JOB}}}[{RATE}])))",
                    "{{job}}",
                )
            ],
            "s",
            width=8,
            description="From http_request_duration_highr_seconds (many buckets, no route "
            "label): per-service percentiles.",
        )
    b.graph(
        "Slowest routes (p90)",
        [
            (
                "topk(10, histogram_quantile(0.9, sum by (job, handler, method, le) "
                f"(rate(http_request_duration_seconds_bucket{{{JOB}}}[{RATE}]))))",
                "{{job}} {{method}} {{handler}}",
            )
        ],
        "s",
        width=24,
        description="http_request_duration_seconds has only 0.1/0.5/1 s buckets: coarse, "
        "but per route.",
    )
    b.row("Processes")
    b.graph(
        "Targets up",
        [(f"up{{{JOB}}}", "{{job}} {{process}} {{instance}}")],
        "short",
        description="1 = scraped, 0 = down (alert FitnessTargetDown).",
    )
    b.graph(
        "Resident memory",
        [(f"process_resident_memory_bytes{{{JOB}}}", "{{job}} {{process}} {{instance}}")],
        "bytes",
    )
    b.graph(
        "CPU",
        [(f"rate(process_cpu_seconds_total{{{JOB}}}[{RATE}])", "{{job}} {{process}} {{instance}}")],
        "percentunit",
    )
    b.graph(
        "Open file descriptors",
        [(f"process_open_fds{{{JOB}}}", "{{job}} {{process}} {{instance}}")],
        "short",
    )
    b.row("Business")
    b.graph(
        "Registrations per minute",
        [(f"sum(rate(identity_registrations_total[{RATE}])) * 60", "registrations")],
        "short",
        description="Accounts created (identity).",
    )
    b.graph(
        "Logins per minute by outcome",
        [(f"sum by (result) (rate(identity_logins_total[{RATE}])) * 60", "{{result}}")],
        "short",
        description="ok / invalid_credentials / blocked: failures rising while successes stay "
        "flat smells of credential stuffing.",
    )
    b.graph(
        "Token refreshes per minute by outcome",
        [(f"sum by (result) (rate(identity_token_refreshes_total[{RATE}])) * 60", "{{result}}")],
        "short",
        description="reuse_detected: a rotated refresh token was replayed and its whole family "
        "revoked.",
    )
    b.graph(
        "Logouts per minute",
        [(f"sum(rate(identity_logouts_total[{RATE}])) * 60", "logouts")],
        "short",
    )
    return b.dashboard(
        "fitness-fleet",
        "Fitness / Fleet overview",
        "Request rate, error ratio and latency percentiles of every service.",
        "http_requests_total",
        ["http"],
    )


def events() -> dict[str, Any]:
    b = Board()
    b.row("Transactional outbox")
    b.graph(
        "Outbox backlog",
        [(f"max by (job) (outbox_backlog{{{JOB}}})", "{{job}}")],
        "short",
        description="Committed events not yet published. Grows while Kafka or the relay is "
        "down; nothing is lost.",
    )
    b.graph(
        "Oldest unpublished event",
        [(f"max by (job) (outbox_oldest_age_seconds{{{JOB}}})", "{{job}}")],
        "s",
        description="Age of the oldest waiting event. Alert FitnessOutboxEventsStale fires "
        "above 5 min.",
    )
    b.graph(
        "Published per second",
        [(f"sum by (job) (rate(outbox_published_total{{{JOB}}}[{RATE}]))", "{{job}}")],
        "ops",
    )
    b.graph(
        "Failed publish attempts per second",
        [(f"sum by (job) (rate(outbox_publish_errors_total{{{JOB}}}[{RATE}]))", "{{job}}")],
        "ops",
        description="The relay retries with capped backoff and keeps order: rows behind a "
        "failure wait.",
    )
    b.row("Consumers")
    b.graph(
        "Consumer lag",
        [
            (
                f"max by (job, group, topic) (kafka_consumer_lag{{{JOB}}})",
                "{{job}} {{group}} {{topic}}",
            )
        ],
        "short",
        description="Messages behind the end of each topic, per consumer group.",
    )
    b.graph(
        "Dead-lettered events (1h)",
        [
            (
                f"sum by (job, topic) (increase(events_dead_lettered_total{{{JOB}}}[1h]))",
                "{{job}} {{topic}}",
            )
        ],
        "short",
        description="Poison messages moved to <topic>.dlq after bounded retries.",
    )
    return b.dashboard(
        "fitness-events",
        "Fitness / Events",
        "Outbox backlog and age, published and failed events, consumer lag.",
        "outbox_backlog",
        ["events", "kafka"],
    )


def gateway() -> dict[str, Any]:
    b = Board()
    b.row("Proxy")
    b.graph(
        "Proxied requests per second",
        [
            (
                f"sum by (service, status) (rate(gateway_requests_total[{RATE}]))",
                "{{service}} {{status}}",
            )
        ],
        "reqps",
    )
    b.graph(
        "502 / 503 / 504 from the gateway",
        [
            (
                f"sum by (service, kind) (rate(gateway_upstream_errors_total[{RATE}]))",
                "{{service}} {{kind}}",
            )
        ],
        "ops",
        description="unavailable = 503 (connect failed), timeout = 504, broken = 502. "
        "Alert FitnessGatewayUpstreamErrors.",
    )
    for q in QUANTILES:
        b.graph(
            f"Upstream latency p{round(float(q) * 100)}",
            [
                (
                    f"histogram_quantile({q}, sum by (service, le) "
                    f"(rate(gateway_upstream_latency_seconds_bucket[{RATE}])))",
                    "{{service}}",
                )
            ],
            "s",
            width=8,
            description="Time to the upstream's response headers, per upstream service.",
        )
    b.row("Protection")
    b.graph(
        "Rate-limit rejections (429)",
        [
            (
                f"sum by (rule, scope) (rate(gateway_ratelimit_rejections_total[{RATE}]))",
                "{{rule}} / {{scope}}",
            )
        ],
        "ops",
        description="Alert FitnessRateLimitRejectionsSpike fires at 3x the previous hour's rate.",
    )
    b.graph(
        "Rate limiter failing open",
        [(f"sum(rate(gateway_ratelimit_backend_errors_total[{RATE}]))", "Redis errors")],
        "ops",
        description="Checks skipped because Redis did not answer: limits are off meanwhile.",
    )
    b.graph(
        "Token rejections",
        [(f"sum by (reason) (rate(gateway_auth_failures_total[{RATE}]))", "{{reason}}")],
        "ops",
        width=24,
    )
    return b.dashboard(
        "fitness-gateway",
        "Fitness / Gateway",
        "Gateway: rate-limit rejections, upstream latency, 502/503/504, token rejections.",
        "gateway_requests_total",
        ["gateway"],
    )


DASHBOARDS = {
    "fleet-overview.json": fleet_overview,
    "events.json": events,
    "gateway.json": gateway,
}


def render() -> dict[str, str]:
    return {name: json.dumps(build(), indent=2) + "\n" for name, build in DASHBOARDS.items()}


def main(argv: list[str]) -> int:
    stale = []
    for name, text in render().items():
        path = OUT / name
        if "--check" in argv:
            if not path.is_file() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"out of date (run {Path(__file__).name}): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
