"""The benchmark's report helpers: gateway vs direct pairs, CPU per request, event latency,
the services' own URLs from the launcher's state folder."""

from __future__ import annotations

import json
import math
from pathlib import Path

from e2e.bench import (
    cpu_ms_per_request,
    direct_name,
    gateway_vs_direct,
    latency_summary,
    service_urls,
    summarise,
    write_report,
)


def _result(name: str, requests: int, seconds: float = 10.0, cpu: dict[str, float] | None = None):
    res = summarise(name, "closed", 16, None, seconds, [0.01] * requests, [200] * requests)
    res.cpu_seconds = cpu or {}
    return res


def test_each_key_read_is_paired_with_its_direct_twin() -> None:
    results = [
        _result("GET /users/me", 8000, cpu={"gateway": 4.0}),  # 800 req/s through the gateway
        _result(direct_name("GET /users/me"), 10000),  # 1,000 req/s straight at identity
        _result("PUT /users/{id}", 3000),  # no twin: not in the table
    ]
    [pair] = gateway_vs_direct(results)
    assert pair["scenario"] == "GET /users/me"
    assert (pair["gateway_rps"], pair["direct_rps"]) == (800.0, 1000.0)
    assert pair["ratio"] == 0.8
    assert pair["fewer_pct"] == 20.0
    assert pair["gateway_cpu_ms"] == 0.5  # 4 CPU seconds over 8,000 requests


def test_a_direct_run_without_requests_gives_no_ratio() -> None:
    results = [_result("GET /goals", 100), _result(direct_name("GET /goals"), 0)]
    assert gateway_vs_direct(results) == []


def test_cpu_per_request_in_milliseconds() -> None:
    res = _result("s", 2000, cpu={"identity": 2.5, "redis": 0.0, "loadgen": 0.5})
    assert cpu_ms_per_request(res) == {"identity": 1.25, "loadgen": 0.25}  # idle ones left out
    assert cpu_ms_per_request(_result("none", 0, cpu={"identity": 1.0})) == {}


def test_event_latency_percentiles_and_timeouts() -> None:
    samples = [0.1] * 18 + [0.4, 2.0]  # seconds
    summary = latency_summary(samples, timeouts=1)
    assert summary == {
        "samples": 20,
        "timeouts": 1,
        "p50_ms": 100.0,
        "p95_ms": 400.0,
        "max_ms": 2000.0,
    }
    empty = latency_summary([], timeouts=3)
    assert empty["samples"] == 0
    assert empty["timeouts"] == 3
    assert math.isnan(empty["p95_ms"])


def test_service_urls_follow_the_port_offset_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "stack.json").write_text(json.dumps({"port_offset": 470}))
    urls = service_urls(tmp_path, ["goals=http://goals.internal:9000/"])
    assert urls["gateway"] == "http://127.0.0.1:8470"
    assert urls["identity"] == "http://127.0.0.1:8471"
    assert urls["progress"] == "http://127.0.0.1:8474"
    assert urls["goals"] == "http://goals.internal:9000"
    assert service_urls(tmp_path / "missing") == {}


def test_report_has_the_ratio_and_event_sections(tmp_path: Path) -> None:
    results = [_result("GET /nutrition/me", 9000), _result(direct_name("GET /nutrition/me"), 10000)]
    events = {"workout → goal progress": latency_summary([0.2, 0.3])}
    md = write_report(results, tmp_path, events)
    text = md.read_text()
    assert "## Gateway vs direct" in text
    assert "| GET /nutrition/me | 900.0 | 1000.0 | 0.9 | 10.0 % |" in text
    assert "| workout → goal progress | 2 | 0 | 200.0 | 300.0 | 300.0 |" in text
    data = json.loads(md.with_suffix(".json").read_text())
    assert data["gateway_vs_direct"][0]["fewer_pct"] == 10.0
    assert data["event_latency"]["workout → goal progress"]["p95_ms"] == 300.0
