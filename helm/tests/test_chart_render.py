"""`helm lint` and `helm template` for real, through Helm's own Go SDK (the PyPI package
helm-python-sdk bundles it as a shared library: no helm binary needed), across value combinations.
The rendered objects are then checked for what the chart promises: secure pods, probes, one
Deployment per process, the migrations hook, monitoring objects carrying the alert rules.

Skipped when helm-python-sdk is not installed (it is not yet in the workspace's dev group).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

helm = pytest.importorskip("helm_python", reason="helm-python-sdk not installed")

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "fitness"
KUBE_VERSION = "v1.30.0"

ALL_ON = {
    "ingress": {"enabled": True, "hosts": [{"host": "api.example.com", "paths": [{"path": "/"}]}]},
    "metrics": {
        "serviceMonitor": {"enabled": True},
        "prometheusRule": {"enabled": True},
        "grafanaDashboards": {"enabled": True},
    },
    "networkPolicy": {"enabled": True},
    "serviceDefaults": {"autoscaling": {"enabled": True}},
    # the backup CronJob's optional branches: per-schema dumps, a non-AWS S3 with static keys
    "backup": {
        "schemas": ["identity", "nutrition"],
        "s3": {
            "endpoint": "http://minio:9000",
            "credentialsSecret": {
                "name": "backup-s3",
                "accessKeyIdKey": "access-key",
                "secretAccessKeyKey": "secret-key",
            },
        },
        "serviceAccountAnnotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/b"},
    },
}
COMBINATIONS = {
    "defaults": {},
    "dev": yaml.safe_load((CHART / "values-dev.yaml").read_text()),
    "all-optional-on": ALL_ON,
    "minimal": {
        "serviceAccount": {"create": False},
        "serviceDefaults": {"pdb": {"enabled": False}, "migrations": {"enabled": False}},
        "services": {"nutrition": {"enabled": False}},
    },
}


# Every service behind the gateway and the processes beside its API (values.yaml `processes`).
APP_PROCESSES: dict[str, tuple[str, ...]] = {
    "identity": ("relay", "worker", "consumer"),
    "nutrition": ("relay", "worker"),
    "training": ("relay", "consumer"),
    "progress": ("relay", "worker"),
    "goals": ("relay", "consumer"),
    "media": ("relay", "worker"),
}


def _render(values: dict) -> list[dict]:
    with helm.Chart.load(str(CHART)) as chart:
        manifests = chart.render(values, name="fitness", namespace="prod", is_install=True)
    docs = []
    for name, text in manifests.items():
        if name.endswith("NOTES.txt"):
            continue
        docs.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return docs


def _by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.mark.parametrize("combo", sorted(COMBINATIONS))
def test_helm_lint_is_clean(combo: str) -> None:
    report = helm.lint(str(CHART), COMBINATIONS[combo], strict=True, kube_version=KUBE_VERSION)
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    assert not problems, problems


@pytest.mark.parametrize("combo", sorted(COMBINATIONS))
def test_every_pod_is_locked_down(combo: str) -> None:
    docs = _render(COMBINATIONS[combo])
    workloads = [d for d in docs if d["kind"] in ("Deployment", "Job", "CronJob")]
    assert workloads
    assert any(d["kind"] == "CronJob" for d in workloads), "the backup CronJob is on by default"
    for workload in workloads:
        spec = workload["spec"]
        if workload["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        pod = spec["template"]["spec"]
        name = workload["metadata"]["name"]
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        tmp = {v["name"]: v for v in pod["volumes"]}["tmp"]
        assert "emptyDir" in tmp, name
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"], name
            assert container["resources"]["limits"], name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name


def test_each_service_gets_api_processes_service_pdb_and_migrations() -> None:
    docs = _render({})
    deployments = _by_kind(docs, "Deployment")
    assert set(deployments) == {
        "fitness-gateway",
        *(f"fitness-{name}" for name in APP_PROCESSES),
        *(f"fitness-{name}-{kind}" for name, kinds in APP_PROCESSES.items() for kind in kinds),
    }
    for name in ("fitness-gateway", *(f"fitness-{n}" for n in APP_PROCESSES)):
        (api,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert api["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert api["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert "command" not in api, "the API runs the image's uvicorn CMD"
    relay = deployments["fitness-identity-relay"]["spec"]["template"]["spec"]["containers"][0]
    assert relay["command"] == ["python", "-m", "identity.relay"]
    assert {"name": "IDENTITY_RELAY_METRICS_PORT", "value": "9100"} in relay["env"]
    assert relay["ports"] == [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]
    # Workers and consumers serve /metrics on the same port (run_worker falls back to it).
    for process in ("worker", "consumer"):
        name = f"fitness-identity-{process}"
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert {"name": "IDENTITY_RELAY_METRICS_PORT", "value": "9100"} in container["env"]
        assert container["ports"] == [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]

    assert set(_by_kind(docs, "Service")) == {
        "fitness-gateway",
        *(f"fitness-{name}" for name in APP_PROCESSES),
    }
    assert set(_by_kind(docs, "PodDisruptionBudget")) == set(_by_kind(docs, "Service"))
    assert set(_by_kind(docs, "HorizontalPodAutoscaler")) == {"fitness-gateway"}

    jobs = _by_kind(docs, "Job")
    assert set(jobs) == {f"fitness-{name}-migrate" for name in APP_PROCESSES}
    job = jobs["fitness-identity-migrate"]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == [
        "python", "-m", "alembic", "-c", "services/identity/alembic.ini",
        "-x", "schema=identity", "upgrade", "head",
    ]  # fmt: skip
    env = {e["name"]: e for e in container["env"]}
    # A hook runs before the chart's ConfigMaps exist: its settings must be inline.
    assert env["IDENTITY_DB_SCHEMA"]["value"] == "identity"
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "fitness-identity"


def test_env_is_prefixed_and_templated() -> None:
    docs = _render({})
    config = _by_kind(docs, "ConfigMap")
    gateway = config["fitness-gateway-env"]["data"]
    assert json.loads(gateway["GATEWAY_UPSTREAMS"]) == {
        name: f"http://fitness-{name}" for name in APP_PROCESSES
    }
    identity = config["fitness-identity-env"]["data"]
    assert identity["IDENTITY_JWKS_URL"] == "http://fitness-identity/.well-known/jwks.json"
    assert identity["IDENTITY_KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert identity["IDENTITY_ENVIRONMENT"] == "prod"
    assert all(key.startswith("IDENTITY_") for key in identity)
    assert "IDENTITY_OTEL_EXPORTER_OTLP_ENDPOINT" not in identity, "empty means unset"


def test_extra_env_reaches_the_container_unprefixed() -> None:
    docs = _render({"services": {"gateway": {"extraEnv": {"FORWARDED_ALLOW_IPS": "10.0.0.0/8"}}}})
    (api,) = _by_kind(docs, "Deployment")["fitness-gateway"]["spec"]["template"]["spec"][
        "containers"
    ]
    assert {"name": "FORWARDED_ALLOW_IPS", "value": "10.0.0.0/8"} in api["env"]
    # empty by default: uvicorn keeps trusting loopback only
    (api,) = _by_kind(_render({}), "Deployment")["fitness-gateway"]["spec"]["template"]["spec"][
        "containers"
    ]
    assert all(e["name"] != "FORWARDED_ALLOW_IPS" for e in api["env"])


def test_optional_objects_render_with_the_shared_rules_and_dashboards() -> None:
    docs = _render(ALL_ON)
    (rule,) = _by_kind(docs, "PrometheusRule").values()
    source = yaml.safe_load((ROOT / "infra" / "prometheus" / "rules.yml").read_text())
    assert rule["spec"] == source
    dashboards = {
        name: cm
        for name, cm in _by_kind(docs, "ConfigMap").items()
        if cm["metadata"]["labels"].get("grafana_dashboard") == "1"
    }
    shipped = sorted(p.name for p in (ROOT / "infra" / "grafana" / "dashboards").glob("*.json"))
    assert sorted(k for cm in dashboards.values() for k in cm["data"]) == shipped
    monitors = _by_kind(docs, "ServiceMonitor")
    assert len(monitors) == 1 + len(APP_PROCESSES)  # every API, the gateway's too
    for monitor in monitors.values():
        assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/name"
        assert monitor["spec"]["endpoints"][0]["honorLabels"] is True
    assert len(_by_kind(docs, "PodMonitor")) == len(APP_PROCESSES)  # relays, workers, consumers
    (ingress,) = _by_kind(docs, "Ingress").values()
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "fitness-gateway", "port": {"number": 80}}
    assert "replicas" not in _by_kind(docs, "Deployment")["fitness-identity"]["spec"]


def test_migrations_without_a_database_url_fail_to_render() -> None:
    values = {"services": {"nutrition": {"secretEnv": {"DATABASE_URL": None}}}}
    with pytest.raises(helm.HelmError, match="migrations"):
        _render(values)


@pytest.mark.parametrize("combo", sorted(COMBINATIONS))
def test_rendered_objects_match_the_kubernetes_schemas(combo: str) -> None:
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate not installed"
    )
    for doc in _render(COMBINATIONS[combo]):
        if doc["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # CRDs: not in the upstream Kubernetes schemas
        kubernetes_validate.validate(doc, KUBE_VERSION.lstrip("v"), strict=True)


@pytest.mark.parametrize(
    "values",
    [
        {"services": {"identity": {"replica": 3}}},  # typo of `replicas`
        {"serviceDefaults": {"securityContext": "none"}},
        {"global": {"env": {"LOG_LEVEL": 10}}},  # env values are strings
        {"services": {"nutrition": {"processes": [{"name": "relay"}]}}},  # no command
    ],
)
def test_values_schema_rejects_mistakes(values: dict) -> None:
    with pytest.raises(helm.HelmError):
        _render(values)
