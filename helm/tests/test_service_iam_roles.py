"""Per-service IAM roles (IRSA): `services.<name>.iamRoleArn` puts `eks.amazonaws.com/role-arn` on
that service's own ServiceAccount — the `<release fullname>-<service>` account each role of
infra/terraform/iam.tf trusts — and the service's pods run as that account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

helm = pytest.importorskip("helm_python", reason="helm-python-sdk not installed")

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "fitness"
ANNOTATION = "eks.amazonaws.com/role-arn"


def _terraform_services() -> list[str]:
    main = (ROOT / "infra" / "terraform" / "main.tf").read_text()
    match = re.search(r"services\s*=\s*toset\(\[([^\]]*)\]\)", main)
    assert match, "local.services not found in infra/terraform/main.tf"
    return re.findall(r'"([a-z-]+)"', match.group(1))


def _arn(service: str) -> str:
    return f"arn:aws:iam::123456789012:role/fitness-prod-{service}"


def _render(values: dict) -> list[dict]:
    with helm.Chart.load(str(CHART)) as chart:
        manifests = chart.render(values, name="fitness", namespace="prod", is_install=True)
    return [
        d for n, t in manifests.items() if n.endswith(".yaml") for d in yaml.safe_load_all(t) if d
    ]


def _accounts(docs: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "ServiceAccount"}


def test_every_terraform_role_annotates_its_services_account() -> None:
    services = _terraform_services()
    assert services
    values = {
        "services": {s: {"iamRoleArn": _arn(s)} for s in services},
        "serviceAccount": {"annotations": {"example.com/team": "fitness"}},
    }
    docs = _render(values)
    accounts = _accounts(docs)
    for service in services:
        annotations = accounts[f"fitness-{service}"]["metadata"]["annotations"]
        assert annotations[ANNOTATION] == _arn(service)
        assert annotations["example.com/team"] == "fitness"  # the shared ones stay
    # Each Deployment of a service (API, relay, worker, consumer) runs as the service's account.
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        service = d["metadata"]["labels"]["app.kubernetes.io/name"]
        assert d["spec"]["template"]["spec"]["serviceAccountName"] == f"fitness-{service}"


def test_without_a_role_no_annotation_and_one_role_never_leaks_to_another() -> None:
    accounts = _accounts(_render({"services": {"media": {"iamRoleArn": _arn("media")}}}))
    assert accounts["fitness-media"]["metadata"]["annotations"] == {ANNOTATION: _arn("media")}
    others = [
        a for name, a in accounts.items() if name.startswith("fitness-") and name != "fitness-media"
    ]
    assert others
    for account in others:
        assert ANNOTATION not in (account["metadata"].get("annotations") or {})


@pytest.mark.parametrize("arn", ["fitness-media", "arn:aws:iam::12:role/x", "arn:aws:s3:::bucket"])
def test_values_schema_rejects_what_is_not_an_iam_role_arn(arn: str) -> None:
    report = helm.lint(str(CHART), {"services": {"media": {"iamRoleArn": arn}}}, strict=True)
    assert report["errors"] or any(m["severity"] >= 2 for m in report["messages"])
