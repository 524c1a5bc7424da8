"""Prometheus config, alert rules and Grafana dashboards: they parse, every query is valid PromQL
(checked by promtool when it is installed), every metric they use is exported by our code or by a
library we use, and the alerts fire when they should (promtool's rule unit tests).
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROM = ROOT / "infra" / "prometheus"
GRAFANA = ROOT / "infra" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
CODE_DIRS = [ROOT / "libs", ROOT / "services", ROOT / "gateway"]

# Consumer metrics the Events dashboard and two alerts rely on (exported by fitness_platform.events).
CONSUMER_METRICS = {
    "kafka_consumer_lag": "platform: gauge {topic, partition, group} set by the consumers",
    "events_dead_lettered_total": "platform: counter {topic, group} in DeadLetters.run",
}

# Series of kube-state-metrics the backup alerts read (its docs/metrics/workload/
# {cronjob,job}-metrics.md); exported by that exporter, not by our code.
KUBE_STATE_METRICS = {
    "kube_cronjob_created",
    "kube_cronjob_status_last_successful_time",
    "kube_job_failed",
    "kube_job_owner",
    "kube_job_status_start_time",
}

PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
    "offset", "bool", "inf", "nan",
}  # fmt: skip


def _promql_metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (enough of a parser for our queries)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range selectors
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    text = re.sub(r"\b\d+(?:\.\d+)?(?:ms|[smhdwy])?\b", " ", text)  # numbers, durations
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group(0)
        following = text[match.end() :].lstrip()[:1]
        if following == "(" or word.lower() in PROMQL_WORDS:
            continue  # a function call or a keyword
        names.add(word)
    return names


def _dashboard_exprs() -> list[tuple[str, str, str]]:
    found = []
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                found.append((path.name, panel["title"], target["expr"]))
    return found


def _rule_exprs() -> list[tuple[str, str]]:
    rules = yaml.safe_load((PROM / "rules.yml").read_text())
    return [(rule["alert"], rule["expr"]) for group in rules["groups"] for rule in group["rules"]]


def _exported_metric_names() -> set[str]:
    """Names our code registers, plus those of the libraries that export metrics for us."""
    names = {"up", *KUBE_STATE_METRICS}  # Prometheus' own per-target series, kube-state-metrics
    pattern = re.compile(r"(?:Counter|Gauge|Histogram|Summary)\(\s*\"([a-z_:][a-z0-9_:]*)\"")
    for folder in CODE_DIRS:
        for path in folder.rglob("*.py"):
            if "/tests/" in path.as_posix():
                continue
            names.update(pattern.findall(path.read_text()))
    # The HTTP metrics are registered by fitness_platform.observability itself (three of the
    # instrumentator's default five), so the pattern above finds them.
    # prometheus_client's process collector (every Python process on Linux).
    from prometheus_client import process_collector

    source = inspect.getsource(process_collector)
    names.update("process_" + n for n in re.findall(r"prefix \+ '([a-z_]+)'", source))
    return names


def _known(name: str, exported: set[str]) -> bool:
    # Counters are exposed with _total; histograms as _bucket/_count/_sum.
    candidates = {name}
    for suffix in ("_total", "_bucket", "_count", "_sum"):
        if name.endswith(suffix):
            candidates.add(name[: -len(suffix)])
    return bool(candidates & exported) or any(c + "_total" in exported for c in candidates)


# ------------------------------------------------------------------ parsing and structure


def test_prometheus_config_scrapes_with_the_shared_labels() -> None:
    config = yaml.safe_load((PROM / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/rules.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert {"gateway", "identity", "nutrition"} <= set(jobs)
    expected = {
        "identity": {"api", "relay", "worker", "consumer"},
        "nutrition": {"api", "relay", "worker"},
    }
    for name, kinds in expected.items():
        processes = {s["labels"]["process"] for s in jobs[name]["static_configs"]}
        # Every process that runs serves /metrics (consumers: kafka_consumer_lag) and is scraped.
        assert processes == kinds


def test_alert_rules_are_complete() -> None:
    rules = yaml.safe_load((PROM / "rules.yml").read_text())
    alerts = {}
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
            assert rule["annotations"]["summary"]
            assert rule["annotations"]["description"]
            alerts[rule["alert"]] = rule["expr"]
    wanted = {
        "http_requests_total": "5xx ratio",
        "http_request_duration_highr_seconds_bucket": "p99 latency",
        "outbox_backlog": "outbox backlog",
        "outbox_oldest_age_seconds": "outbox age",
        "outbox_publish_errors_total": "publish errors",
        "kafka_consumer_lag": "consumer lag",
        "gateway_ratelimit_rejections_total": "rate-limit spike",
        "up": "service down",
        "kube_cronjob_status_last_successful_time": "backup missing",
        "kube_job_failed": "backup failed",
    }
    used = set().union(*(_promql_metric_names(expr) for expr in alerts.values()))
    missing = {what for metric, what in wanted.items() if metric not in used}
    assert not missing, f"no alert on: {missing}"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_valid_grafana_json(path: Path) -> None:
    board = json.loads(path.read_text())
    assert board["uid"]
    assert board["title"].startswith("Fitness / ")
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    variables = {v["name"] for v in board["templating"]["list"]}
    assert "datasource" in variables
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0, panel["title"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["targets"], f"{panel['title']}: no query"
        assert panel["datasource"]["uid"] == "${datasource}"
        for target in panel["targets"]:
            for var in re.findall(r"\$(\w+)", target["expr"]):
                assert var.startswith("__") or var in variables, f"undefined ${var}"


def test_dashboards_cover_the_asked_views() -> None:
    titles = {json.loads(p.read_text())["title"] for p in DASHBOARDS}
    assert {"Fitness / Fleet overview", "Fitness / Events", "Fitness / Gateway"} <= titles


def test_grafana_provisioning_points_at_the_dashboards() -> None:
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "fitness.yml").read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    path = provider["providers"][0]["options"]["path"]
    assert f"./infra/grafana/dashboards:{path}:ro" in mounts
    datasources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    assert datasources["datasources"][0]["url"] == "http://prometheus:9090"


# ------------------------------------------------------------------ metric names exist

ALL_QUERIES = [(f"{d}: {p}", e) for d, p, e in _dashboard_exprs()] + [
    (f"rules.yml: {a}", e) for a, e in _rule_exprs()
]


def test_every_query_uses_exported_metrics() -> None:
    exported = _exported_metric_names()
    unknown = {}
    for where, expr in ALL_QUERIES:
        for name in _promql_metric_names(expr):
            if not _known(name, exported):
                unknown.setdefault(name, []).append(where)
    assert not unknown, f"metrics nobody exports: {unknown}"


def test_parser_finds_metric_names() -> None:
    # Guards the check above against a parser that finds nothing (and so accepts anything).
    expr = (
        'histogram_quantile(0.99, sum by (job, le) (rate(x_bucket{job=~"$job"}[5m]))) '
        "/ on (job) group_left sum(up) > 3 * sum by (rule) (rate(y_total[1h] offset 1h))"
    )
    assert _promql_metric_names(expr) == {"x_bucket", "up", "y_total"}


def test_consumer_metrics_are_exported() -> None:
    exported = _exported_metric_names()
    missing = {n: who for n, who in CONSUMER_METRICS.items() if not _known(n, exported)}
    assert not missing, missing


# ------------------------------------------------------------------ promtool (real Prometheus)

# .ci/run installs promtool and sets FITNESS_REQUIRE_PROMTOOL=1: there a missing promtool fails.
if shutil.which("promtool") is None and os.environ.get("FITNESS_REQUIRE_PROMTOOL") == "1":
    raise RuntimeError("promtool is required (FITNESS_REQUIRE_PROMTOOL=1) but not on PATH")
promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool not installed (Debian: apt-get install prometheus; .ci/run installs it)",
)


@promtool
def test_promtool_accepts_config_and_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    shutil.copy(PROM / "rules.yml", rules)
    config = tmp_path / "prometheus.yml"
    config.write_text(
        (PROM / "prometheus.yml").read_text().replace("/etc/prometheus/rules.yml", str(rules))
    )
    result = subprocess.run(
        ["promtool", "check", "config", str(config)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@promtool
def test_promtool_rule_unit_tests_pass() -> None:
    result = subprocess.run(
        ["promtool", "test", "rules", "rules_test.yml"], cwd=PROM, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@promtool
def test_promtool_parses_every_dashboard_query(tmp_path: Path) -> None:
    # promtool has no "check expression"; a recording rule per query gets the same parser.
    substitutions = {"$__rate_interval": "5m", "$__interval": "1m", "$job": ".*"}
    records = []
    for i, (_, _, expr) in enumerate(_dashboard_exprs()):
        for var, value in substitutions.items():
            expr = expr.replace(var, value)
        records.append({"record": f"dashboard:query_{i}", "expr": expr})
    rules = tmp_path / "dashboards.rules.yml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": records}]}))
    result = subprocess.run(
        ["promtool", "check", "rules", str(rules)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_json_is_what_the_builder_makes() -> None:
    # The JSON is generated by infra/grafana/build_dashboards.py: edit that, then re-run it.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_dashboards", GRAFANA / "build_dashboards.py"
    )
    assert spec is not None
    assert spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    rendered = builder.render()
    assert sorted(rendered) == [p.name for p in DASHBOARDS]
    for name, text in rendered.items():
        assert (GRAFANA / "dashboards" / name).read_text() == text, f"{name} is out of date"
