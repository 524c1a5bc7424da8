"""The GitHub Actions workflow and Dependabot config carry the supply-chain and infrastructure
checks issue 14 asks for: pip-audit on the lock file, bandit (in `make lint`), a trivy scan of
every built image, terraform fmt/validate, Dependabot for Python and Actions. Read as files;
nothing here runs GitHub."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"


def _workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def _job(name: str) -> dict[str, Any]:
    jobs = _workflow()["jobs"]
    assert name in jobs, f"ci.yml has no job {name!r} (jobs: {sorted(jobs)})"
    return jobs[name]


def _runs(job: dict[str, Any]) -> str:
    """Every `run:` of a job, joined (folded `>-` scalars arrive as one line)."""
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).split("@")[0] == action]


def _make_recipe(target: str) -> list[str]:
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{target}:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_every_action_is_pinned_to_a_release() -> None:
    for name, job in _workflow()["jobs"].items():
        for step in job["steps"]:
            if "uses" not in step:
                continue
            ref = step["uses"].partition("@")[2]
            assert re.fullmatch(r"v?\d+(\.\d+){1,2}", ref), f"{name}: {step['uses']} not pinned"


def test_workflow_token_is_read_only() -> None:
    assert _workflow()["permissions"] == {"contents": "read"}


def test_terraform_job_checks_format_and_validates_without_a_backend() -> None:
    job = _job("terraform")
    (setup,) = _uses(job, "hashicorp/setup-terraform")
    assert setup["with"]["terraform_version"]
    assert job["defaults"]["run"]["working-directory"] == "infra/terraform"
    assert (ROOT / job["defaults"]["run"]["working-directory"] / "versions.tf").is_file()
    runs = _runs(job)
    assert "terraform fmt -check" in runs
    init = runs.index("terraform init -backend=false")
    assert runs.index("terraform validate") > init
    assert runs.index("terraform test") > init
    assert list((ROOT / "infra" / "terraform" / "tests").glob("*.tftest.hcl"))


def test_dependency_audit_runs_pip_audit_on_the_exported_lock_file() -> None:
    job = _job("dependency-audit")
    runs = _runs(job)
    export = re.search(r"uv export (?P<args>.*)", runs)
    assert export, "no `uv export` step"
    args = export["args"]
    assert "--frozen" in args, "export exactly what uv.lock says (fail if it is stale)"
    assert "--all-packages" in args, "every workspace member's dependencies"
    out = re.search(r"--output-file (\S+)", args)
    assert out
    audit = re.search(r"pip-audit (?P<args>--.*)", runs)
    assert audit, "no pip-audit step"
    assert f"--requirement {out[1]}" in audit["args"]
    assert "--strict" in audit["args"]
    assert runs.index("uv export") < runs.index("pip-audit --requirement")
    assert "PIP_AUDIT_VERSION" in runs
    assert re.fullmatch(r"\d+\.\d+\.\d+", _workflow()["env"]["PIP_AUDIT_VERSION"])


def test_lint_job_runs_bandit_through_make_lint() -> None:
    assert "make lint" in _runs(_job("lint"))
    recipe = _make_recipe("lint")
    (bandit,) = [line for line in recipe if "bandit" in line]
    assert "-c pyproject.toml" in bandit
    for tree in ("libs/*/src", "services/*/src", "gateway/src", "infra/stack/src"):
        assert tree in bandit
    baseline = re.search(r"-b (\S+)", bandit)
    assert baseline
    assert (ROOT / baseline[1]).is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["bandit"]
    assert "tests" in config["exclude_dirs"]


def test_bandit_baseline_names_only_existing_files() -> None:
    import json

    lines = [line for line in _make_recipe("lint") if "bandit" in line]
    baseline = re.search(r"-b (\S+)", lines[0])
    assert baseline
    results = json.loads((ROOT / baseline[1]).read_text())["results"]
    for result in results:
        assert (ROOT / result["filename"]).is_file(), result["filename"]
        assert result["test_id"].startswith("B")


def test_docker_build_scans_each_image_with_trivy_before_the_smoke_test() -> None:
    job = _job("docker-build")
    steps = job["steps"]
    (build,) = _uses(job, "docker/build-push-action")
    (scan,) = _uses(job, "aquasecurity/trivy-action")
    assert steps.index(build) < steps.index(scan)
    with_ = scan["with"]
    assert with_["image-ref"] == build["with"]["tags"], "scan the image just built"
    assert build["with"]["load"] is True, "the image must be in the local engine to scan it"
    assert set(with_["severity"].split(",")) == {"CRITICAL", "HIGH"}
    assert with_["ignore-unfixed"] is True
    assert str(with_["exit-code"]) == "1"
    smoke = next(s for s in steps if str(s.get("name", "")).startswith("Smoke test"))
    assert steps.index(scan) < steps.index(smoke)


def test_docker_build_builds_and_scans_every_service_of_the_chart() -> None:
    values = yaml.safe_load((ROOT / "helm" / "fitness" / "values.yaml").read_text())
    matrix = _job("docker-build")["strategy"]["matrix"]["include"]
    assert {entry["name"] for entry in matrix} == set(values["services"])
    for entry in matrix:
        assert (ROOT / entry["dir"] / "src" / entry["name"] / "main.py").is_file(), entry
        assert entry["prefix"] == entry["name"].upper()


def test_make_test_and_helm_jobs_are_still_there() -> None:
    jobs = _workflow()["jobs"]
    assert {"lint", "test", "helm", "docker-build", "compose"} <= set(jobs)


@pytest.mark.parametrize("ecosystem", ["uv", "github-actions"])
def test_dependabot_updates_python_and_actions(ecosystem: str) -> None:
    config = yaml.safe_load(DEPENDABOT.read_text())
    assert config["version"] == 2
    (entry,) = [u for u in config["updates"] if u["package-ecosystem"] == ecosystem]
    assert entry["directory"] == "/"
    assert entry["schedule"]["interval"] in ("daily", "weekly")


def test_dependabot_directories_exist() -> None:
    config = yaml.safe_load(DEPENDABOT.read_text())
    for entry in config["updates"]:
        assert (ROOT / entry["directory"].lstrip("/")).is_dir(), entry
