"""Deployment artifacts agree with the repository: Dockerfiles, docker-compose.yml, chart values.

These tests read files only (no Docker engine or cluster is needed), so a renamed module, a
missing migrations folder or a service without an image fails here instead of at deploy time.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "fitness"
COMPOSE = ROOT / "docker-compose.yml"


def _load_yaml(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def _workspace_members() -> dict[str, Path]:
    """Distribution name -> member folder, from the root pyproject's workspace members."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members = {}
    for rel in root["tool"]["uv"]["workspace"]["members"]:
        project = tomllib.loads((ROOT / rel / "pyproject.toml").read_text())["project"]
        members[project["name"]] = ROOT / rel
    return members


def _member_dir(service: str) -> Path:
    """Folder of a deployable: services/<name>, or gateway/."""
    members = _workspace_members()
    dist = f"fitness-{service}"
    assert dist in members, f"{service}: no workspace member named {dist}"
    return members[dist]


def _workspace_closure(dist: str) -> set[str]:
    """``dist`` and every workspace member it depends on, transitively."""
    members = _workspace_members()
    seen: set[str] = set()
    todo = [dist]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        deps = tomllib.loads((members[name] / "pyproject.toml").read_text())["project"].get(
            "dependencies", []
        )
        for dep in deps:
            dep_name = re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0]
            if dep_name in members:
                todo.append(dep_name)
    return seen


def _module_exists(dotted: str) -> bool:
    """True if ``pkg.mod`` is a module of some workspace member's ``src/``."""
    parts = dotted.split(".")
    for folder in _workspace_members().values():
        base = folder / "src" / Path(*parts)
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return True
    return False


def _chart_services() -> dict[str, dict]:
    values = _load_yaml(CHART / "values.yaml")
    defaults = values["serviceDefaults"]
    merged = {}
    for name, own in values["services"].items():
        svc = {**defaults, **(own or {})}
        if svc.get("enabled", True):
            merged[name] = svc
    return merged


DOCKERFILE = ROOT / "Dockerfile"


def _build_args(service: str) -> dict[str, str]:
    """The build args docker-compose.yml builds ``service``'s image with (SERVICE=<service>)."""
    for svc in _compose()["services"].values():
        args = (svc.get("build") or {}).get("args") or {}
        if args.get("SERVICE") == service:
            return {str(k): str(v) for k, v in args.items()}
    raise AssertionError(f"docker-compose.yml builds no image with SERVICE={service}")


def _dockerfile_instructions(
    path: Path, build_args: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined, comments dropped, and
    each stage's ARGs (``build_args``, else their defaults) substituted outside CMD/HEALTHCHECK."""
    build_args = build_args or {}
    joined: list[str] = []
    buf = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        joined.append(buf + line)
        buf = ""
    out: list[tuple[str, str]] = []
    scope: dict[str, str] = {}
    for line in joined:
        ins, args = line.split(None, 1)[0].upper(), line.split(None, 1)[1]
        if ins == "FROM":
            scope = {}
        elif ins == "ARG" and out and any(i == "FROM" for i, _ in out):
            name, _, default = args.partition("=")
            if name in build_args:
                scope[name] = build_args[name]
            elif default:
                scope[name] = _expand(default, scope)
        elif ins not in ("CMD", "HEALTHCHECK"):
            args = _expand(args, scope)
        out.append((ins, args))
    return out


def _expand(text: str, values: dict[str, str]) -> str:
    return re.sub(
        r"\$\{(\w+)\}|\$(\w+)",
        lambda m: values.get(m.group(1) or m.group(2), m.group(0)),
        text,
    )


# ------------------------------------------------------------------ chart values vs repository

CHART_SERVICES = sorted(_chart_services())


APP_SERVICES = ("identity", "nutrition", "training", "progress", "goals", "media")


def test_chart_lists_the_deployable_members() -> None:
    assert {"gateway", *APP_SERVICES} <= set(CHART_SERVICES)


@pytest.mark.parametrize("service", CHART_SERVICES)
def test_chart_service_has_package_and_dockerfile(service: str) -> None:
    folder = _member_dir(service)
    assert DOCKERFILE.is_file(), "no root Dockerfile"
    assert not (folder / "Dockerfile").exists(), f"{service}: a second Dockerfile in {folder}"
    assert _build_args(service)["SERVICE"] == service
    assert (folder / "src" / service / "main.py").is_file(), f"{service}: no {service}/main.py"


@pytest.mark.parametrize("service", CHART_SERVICES)
def test_chart_processes_and_migrations_point_at_real_code(service: str) -> None:
    svc = _chart_services()[service]
    for process in svc.get("processes") or []:
        command = process["command"]
        assert command[:2] == ["python", "-m"], f"{service}/{process['name']}: {command}"
        assert _module_exists(command[2]), f"{service}/{process['name']}: no module {command[2]}"
    migrations = svc.get("migrations") or {}
    if migrations.get("enabled"):
        folder = _member_dir(service)
        assert (folder / "alembic.ini").is_file()
        assert (folder / "migrations" / "env.py").is_file()
        assert "DATABASE_URL" in (svc.get("secretEnv") or {}) or migrations.get("databaseUrlSecret")


def test_values_secure_defaults() -> None:
    defaults = _load_yaml(CHART / "values.yaml")["serviceDefaults"]
    pod, container = defaults["podSecurityContext"], defaults["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] != 0
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["readOnlyRootFilesystem"] is True
    assert container["allowPrivilegeEscalation"] is False
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert defaults["resources"]["requests"]
    assert defaults["resources"]["limits"]
    assert defaults["probes"]["liveness"]["httpGet"]["path"] == "/health/live"
    assert defaults["probes"]["readiness"]["httpGet"]["path"] == "/health/ready"


def test_values_yaml_documents_every_key() -> None:
    """Each top-level key and each of its direct children carries a comment: on the line above,
    inline, or (for a block) on one of its lines."""
    lines = (CHART / "values.yaml").read_text().splitlines()

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip())

    undocumented = []
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)([A-Za-z_][\w.-]*):(.*)$", line)
        if not match or indent(line) > 2:
            continue
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        documented = previous.lstrip().startswith("#") or "#" in match.group(3)
        for following in lines[i + 1 :]:
            if documented or (following.strip() and indent(following) <= indent(line)):
                break
            documented = following.lstrip().startswith("#")
        if not documented:
            undocumented.append(f"{i + 1}: {line.strip()}")
    assert not undocumented, undocumented


def test_chart_values_files_parse_and_name_only_known_services() -> None:
    known = set(_load_yaml(CHART / "values.yaml")["services"])
    for path in (CHART / "values-dev.yaml",):
        extra = set(_load_yaml(path).get("services", {})) - known
        assert not extra, f"{path.name} configures services the chart doesn't know: {extra}"


def _deep_merge(base: dict, override: dict) -> dict:
    """Helm's coalescing, for maps: the override wins key by key; null deletes."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def test_values_files_satisfy_the_values_schema() -> None:
    # Helm checks values.schema.json on lint/template/install; this runs the same check without
    # Helm so a values change that breaks the schema fails in every test run.
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    validator = jsonschema_rs.validator_for(json.loads((CHART / "values.schema.json").read_text()))
    defaults = _load_yaml(CHART / "values.yaml")
    errors = [e.message for e in validator.iter_errors(defaults)]
    assert not errors, errors
    dev = _deep_merge(defaults, _load_yaml(CHART / "values-dev.yaml"))
    errors = [e.message for e in validator.iter_errors(dev)]
    assert not errors, errors
    # and it does reject a typo
    typo = _deep_merge(defaults, {"services": {"identity": {"replica": 3}}})
    assert not validator.is_valid(typo)


def test_chart_shares_one_rules_file_with_compose() -> None:
    # The chart ships infra/prometheus/rules.yml and the dashboards through symlinks (Helm
    # follows them when it loads a chart): one source of truth, nothing to keep in sync.
    rules = CHART / "files" / "prometheus" / "rules.yml"
    dashboards = CHART / "files" / "grafana" / "dashboards"
    assert rules.resolve() == (ROOT / "infra" / "prometheus" / "rules.yml").resolve()
    assert dashboards.resolve() == (ROOT / "infra" / "grafana" / "dashboards").resolve()


# ------------------------------------------------------------------ Dockerfiles


@pytest.mark.parametrize("service", CHART_SERVICES)
def test_dockerfile_builds_one_package_from_the_workspace_root(service: str) -> None:
    dockerfile = DOCKERFILE
    instructions = _dockerfile_instructions(dockerfile, _build_args(service))
    dist = f"fitness-{service}"

    froms = [args for ins, args in instructions if ins == "FROM"]
    args = {a.partition("=")[0]: a.partition("=")[2] for ins, a in instructions if ins == "ARG"}
    assert args.get("PYTHON_IMAGE", "").startswith("python:3.11-slim")
    assert len(froms) >= 3, "uv, builder and runtime stages expected"

    runs = " ".join(a for ins, a in instructions if ins == "RUN")
    assert f"uv sync --frozen --no-dev --no-install-workspace --package {dist}" in runs
    assert f"uv sync --frozen --no-dev --no-editable --package {dist}" in runs

    # Every COPY source exists relative to the build context (the repository root).
    for ins, arg in instructions:
        if ins != "COPY" or arg.startswith("--from"):
            continue
        sources = shlex.split(arg)[:-1]
        for src in sources:
            assert (ROOT / src).exists(), f"{dockerfile}: COPY {src} does not exist"

    # The dependency layer sees the manifest, and the code layer the sources, of every
    # workspace member the package needs (an undeclared one would be missing in the image).
    sources = {
        src
        for ins, a in instructions
        if ins == "COPY" and not a.startswith("--from")
        for src in shlex.split(a)[:-1]
    }
    members = _workspace_members()
    for dep in _workspace_closure(dist):
        rel = members[dep].relative_to(ROOT).as_posix()
        assert f"{rel}/pyproject.toml" in sources, f"{dockerfile}: {rel}/pyproject.toml not copied"
        # Its src folder, or the whole member folder (the service itself: src + migrations).
        assert {f"{rel}/src", rel} & sources, f"{dockerfile}: {rel}/src not copied"


@pytest.mark.parametrize("service", CHART_SERVICES)
def test_dockerfile_runtime_is_non_root_with_healthcheck_and_uvicorn(service: str) -> None:
    instructions = _dockerfile_instructions(DOCKERFILE, _build_args(service))
    users = [a for ins, a in instructions if ins == "USER"]
    assert users, "no USER instruction"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), "a numeric uid lets Kubernetes verify runAsNonRoot"
    assert int(uid) != 0, "the runtime user must not be root"

    healthchecks = [a for ins, a in instructions if ins == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    assert "/health/live" in " ".join(a for ins, a in instructions if ins in ("ENV", "HEALTHCHECK"))

    cmd = json.loads([a for ins, a in instructions if ins == "CMD"][-1])
    # One CMD for every service: the app comes from UVICORN_APP (uvicorn's APP argument).
    assert cmd[:2] == ["uvicorn", "--factory"]
    env = " ".join(a for ins, a in instructions if ins == "ENV")
    assert f"UVICORN_APP={service}.main:create_app" in env
    flags = dict(zip(cmd[2::2], cmd[3::2], strict=False))
    assert flags.get("--host") == "0.0.0.0"
    assert flags.get("--port") == "8000"
    assert flags.get("--loop") == "uvloop"
    assert flags.get("--http") == "httptools"


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".local", ".env"} <= ignored


# ------------------------------------------------------------------ docker-compose.yml


def _compose() -> dict:
    return _load_yaml(COMPOSE)


def test_compose_builds_only_existing_dockerfiles() -> None:
    services = _compose()["services"]
    built = {}
    for name, svc in services.items():
        build = svc.get("build")
        if build:
            dockerfile = ROOT / build.get("context", ".") / build["dockerfile"]
            assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"
            built[svc["image"]] = dockerfile
    # A service using a fitness-* image relies on another entry building it.
    for name, svc in services.items():
        image = svc.get("image", "")
        if image.startswith("fitness-"):
            assert image in built, f"{name}: nothing builds {image}"


def test_compose_references_only_existing_services_modules_and_files() -> None:
    compose = _compose()
    services = compose["services"]
    for name, svc in services.items():
        for dep in svc.get("depends_on") or {}:
            assert dep in services, f"{name} depends on unknown service {dep}"
        command = svc.get("command")
        if isinstance(command, list) and command[:2] == ["python", "-m"]:
            module = command[2]
            if module == "alembic":
                ini = command[command.index("-c") + 1]
                assert (ROOT / ini).is_file(), f"{name}: {ini} does not exist"
            else:
                assert _module_exists(module), f"{name}: no module {module}"
        for volume in svc.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: volume source {source} missing"


def test_compose_runs_api_relay_worker_and_migrations_per_service() -> None:
    services = _compose()["services"]
    for name in APP_SERVICES:
        assert f"{name}-migrate" in services
        assert services[f"{name}-relay"]["command"] == ["python", "-m", f"{name}.relay"]
        # every process module the launcher runs (`make up`) runs in compose too
        for kind in ("worker", "consumer"):
            if _module_exists(f"{name}.{kind}"):
                assert services[f"{name}-{kind}"]["command"] == ["python", "-m", f"{name}.{kind}"]
        migrate = services[f"{name}-migrate"]["command"]
        assert f"schema={name}" in migrate
        assert migrate[-2:] == ["upgrade", "head"]
        # The API waits for its migrations to finish, not just to start.
        assert (
            services[name]["depends_on"][f"{name}-migrate"]["condition"]
            == "service_completed_successfully"
        )
    assert services["gateway"]["ports"] == ["127.0.0.1:8000:8000"]


def test_compose_service_env_follows_the_prefix_convention() -> None:
    services = _compose()["services"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        prefix = f"{name.upper()}_"
        assert all(key.startswith(prefix) for key in env), f"{name}: foreign env names"
        for key in (
            "DATABASE_URL",
            "DB_SCHEMA",
            "REDIS_URL",
            "KAFKA_BOOTSTRAP_SERVERS",
            "JWKS_URL",
            "ENVIRONMENT",
        ):
            assert prefix + key in env, f"{name}: {prefix}{key} missing"
        assert env[f"{prefix}DB_SCHEMA"] == name
        assert env[f"{prefix}KAFKA_ENABLE_IDEMPOTENCE"] == "true"  # real Kafka here
        assert f"//{name}_svc:" in env[f"{prefix}DATABASE_URL"], "connect as the service's role"
        # relay, worker and consumer run with exactly the API's settings
        for kind in ("relay", "worker", "consumer"):
            if f"{name}-{kind}" in services:
                assert services[f"{name}-{kind}"]["environment"] == env

    upstreams = json.loads(services["gateway"]["environment"]["GATEWAY_UPSTREAMS"])
    for upstream, url in upstreams.items():
        host = url.split("//", 1)[1].split(":", 1)[0]
        assert host in services, f"GATEWAY_UPSTREAMS[{upstream}] points at unknown host {host}"


def test_compose_app_containers_are_hardened() -> None:
    services = _compose()["services"]
    for name, svc in services.items():
        if not svc.get("image", "").startswith("fitness-") or name.endswith("-migrate"):
            continue
        assert svc.get("read_only") is True, name
        assert svc.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in svc.get("security_opt", []), name


def test_compose_prometheus_scrapes_every_app_container() -> None:
    services = _compose()["services"]
    config = _load_yaml(ROOT / "infra" / "prometheus" / "prometheus.yml")
    targets = {
        target.split(":", 1)[0]
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    for name, svc in services.items():
        if not svc.get("image", "").startswith("fitness-"):
            continue
        command = svc.get("command") or []
        # APIs (the image's CMD) and relays serve /metrics; nothing else does (yet).
        if not command or command[-1].endswith(".relay"):
            assert name in targets, f"Prometheus does not scrape {name}"
    assert targets - {"127.0.0.1"} <= set(services), "scrape target without a container"
