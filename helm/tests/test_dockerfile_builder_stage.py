"""Replays each Dockerfile without Docker (there is no engine on this machine):

1. the builder stage: its COPY lines into a scratch folder and its `uv sync` commands against it.
   This proves the two-step sync works from exactly the files the image copies (a manifest or
   source folder the Dockerfile forgets fails here), and that the result is a self-contained
   virtualenv with the service, its entry points' dependencies and its data files;
2. the runtime stage, approximated: the image's ENV, WORKDIR and runtime COPY lines, then the
   image's own CMD (uvicorn) and the migrations command, run as uid 10001 with the code and the
   working directory owned by root and not writable, against the test session's real
   PostgreSQL/Redis/Kafka. A service that writes next to its code, needs root, or whose
   `alembic.ini` doesn't work from the image's layout fails here.

What this can't prove: anything about the base image itself (Debian's python3.11 stands in for
python:3.11-slim) or kernel-level confinement (seccomp, capabilities).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitness_platform.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
# One root Dockerfile; each image is a set of build args (as in docker-compose.yml and CI).
DOCKERFILE = ROOT / "Dockerfile"
BUILD_ARGS = {
    "identity": {"SERVICE": "identity", "ENV_PREFIX": "IDENTITY"},
    "nutrition": {"SERVICE": "nutrition", "ENV_PREFIX": "NUTRITION"},
    "gateway": {"SERVICE": "gateway", "ENV_PREFIX": "GATEWAY", "SERVICE_DIR": "gateway"},
}
DOCKERFILES = dict.fromkeys(BUILD_ARGS, DOCKERFILE)
APP_UID = 10001
# uv on PATH, else where infra/bootstrap.py installs it for `make test`.
UV = shutil.which("uv") or next(
    (str(p) for p in [ROOT / ".local" / "tools" / "uv" / "bin" / "uv"] if p.is_file()), None
)
# A system interpreter, like the image's (a pyenv one under /root is unreadable to uid 10001).
SYSTEM_PYTHON = next(
    (p for p in ("/usr/local/bin/python3.11", "/usr/bin/python3.11") if Path(p).is_file()), None
)

pytestmark = pytest.mark.skipif(UV is None, reason="uv not found (run `make sync`)")


def _expand(text: str, values: dict[str, str]) -> str:
    """Docker's ``$NAME``/``${NAME}`` substitution for the build args in scope (others kept)."""
    return re.sub(
        r"\$\{(\w+)\}|\$(\w+)",
        lambda m: values.get(m.group(1) or m.group(2), m.group(0)),
        text,
    )


def _instructions(
    dockerfile: Path, build_args: dict[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """(stage, INSTRUCTION, arguments), continuation lines joined, comments dropped, and the
    stage's ARGs (given ``build_args``, else their defaults) substituted; CMD is left as is."""
    build_args = build_args or {}
    lines: list[str] = []
    buf = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        lines.append(buf + line)
        buf = ""
    out = []
    stage = ""
    scope: dict[str, str] = {}
    for line in lines:
        ins, _, args = line.partition(" ")
        if ins.upper() == "FROM":
            match = re.search(r"\bAS\s+(\w+)\s*$", args, re.IGNORECASE)
            stage = match.group(1) if match else ""
            scope = {}  # ARGs are per stage
            continue
        if ins.upper() == "ARG":
            name, _, default = args.strip().partition("=")
            if name in build_args:
                scope[name] = build_args[name]
            elif default:
                scope[name] = _expand(default, scope)
            continue
        if ins.upper() not in ("CMD", "HEALTHCHECK"):
            args = _expand(args, scope)
        out.append((stage, ins.upper(), args.strip()))
    return out


def _env_pairs(args: str) -> list[tuple[str, str]]:
    return re.findall(r"(\w+)=(\S+)", args)


def _copy(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


def _apply_copy(args: str, workdir: Path) -> None:
    *sources, dest = shlex.split(args)
    for src in sources:
        target = workdir / dest
        if dest.endswith("/"):
            target = target / Path(src).name
        _copy(ROOT / src, target)


def replay_builder(service: str, scratch: Path) -> Path:
    """Runs the builder stage in ``scratch``; returns the virtualenv it produced."""
    venv = scratch / "venv"
    env = {**os.environ, "UV_PYTHON": SYSTEM_PYTHON or sys.executable, "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    workdir = scratch
    syncs = 0
    for stage, ins, args in _instructions(DOCKERFILES[service], BUILD_ARGS[service]):
        if stage != "builder":
            continue
        if ins == "ENV":
            env.update(_env_pairs(args))
            env["UV_PROJECT_ENVIRONMENT"] = str(venv)  # the image uses /app/.venv
            # Speed only: bytecode compilation and copying matter in the image, not here.
            env["UV_COMPILE_BYTECODE"] = "0"
            env.pop("UV_LINK_MODE", None)
        elif ins == "WORKDIR":
            workdir = scratch / args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif ins == "COPY" and not args.startswith("--from"):
            _apply_copy(args, workdir)
        elif ins == "RUN":
            command = re.sub(r"--mount=\S+\s*", "", args).strip()
            if command.startswith("rm -rf "):
                # Prunes the member folder to what the runtime copies (relative paths only).
                for rel in shlex.split(command)[2:]:
                    assert not rel.startswith("/"), command
                    target = workdir / rel
                    if target.is_dir():
                        shutil.rmtree(target)
                    elif target.exists():
                        target.unlink()
                continue
            assert command.startswith("uv sync"), f"unexpected RUN in builder: {command}"
            argv = shlex.split(command)
            result = subprocess.run(
                [str(UV), *argv[1:]], cwd=workdir, env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, f"`{command}` failed:\n{result.stderr[-3000:]}"
            syncs += 1
    assert syncs == 2, "dependencies layer + project layer expected"
    return venv


@pytest.fixture(scope="module")
def scratch_root() -> Iterator[Path]:
    # Not pytest's tmp_path: its parents are mode 700, and uid 10001 must reach the venv.
    root = Path(tempfile.mkdtemp(prefix="fitness-image-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def built() -> dict[str, Path]:
    return {}


def _venv_for(service: str, scratch_root: Path, built: dict[str, Path]) -> Path:
    if service not in built:
        scratch = scratch_root / service
        scratch.mkdir()
        scratch.chmod(0o755)
        built[service] = replay_builder(service, scratch)
    return built[service]


@pytest.mark.parametrize("service", sorted(DOCKERFILES))
def test_builder_stage_produces_a_working_venv(
    service: str, scratch_root: Path, built: dict[str, Path]
) -> None:
    venv = _venv_for(service, scratch_root, built)
    probe = (
        "import importlib.util as u, pathlib, sys\n"
        f"spec = u.find_spec('{service}.main')\n"
        "assert spec is not None, 'entry module missing'\n"
        # installed as a wheel into the venv, not as a link back to the build folder
        "assert str(pathlib.Path(spec.origin).resolve()).startswith(sys.prefix), spec.origin\n"
        "import uvicorn, uvloop, httptools, alembic, psycopg\n"
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for dev_tool in ("pytest", "ruff", "mypy"):
        assert not (venv / "bin" / dev_tool).exists(), f"{dev_tool} leaked into the image"


def test_package_data_files_are_in_the_wheel(tmp_path: Path) -> None:
    """Non-Python files under src/<pkg>/ (nutrition's food tables) must reach the image."""
    data = ROOT / "services" / "nutrition" / "src" / "nutrition" / "data"
    csvs = sorted(p.name for p in data.glob("*.csv"))
    if not csvs:
        pytest.fail("nutrition ships no data files (the SR28 tables belong in src/nutrition/data)")
    result = subprocess.run(
        [str(UV), "build", "--wheel", "--package", "fitness-nutrition", "-o", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for csv in csvs:
        assert f"nutrition/data/{csv}" in names


# ------------------------------------------------------------------ runtime stage

runtime = pytest.mark.skipif(
    not (
        sys.platform == "linux" and os.geteuid() == 0 and shutil.which("setpriv") and SYSTEM_PYTHON
    ),
    reason="needs Linux, root (to switch to uid 10001), setpriv and a system python3.11",
)


def _sqlalchemy_url(libpq_url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", libpq_url)


def _runtime_layout(
    service: str, venv: Path, scratch: Path
) -> tuple[Path, dict[str, str], list[str]]:
    """The runtime stage: WORKDIR with its COPY files (root-owned), ENV, CMD."""
    app = scratch / "app"
    app.mkdir(mode=0o755, exist_ok=True)
    env: dict[str, str] = {}
    cmd: list[str] = []
    for stage, ins, args in _instructions(DOCKERFILES[service], BUILD_ARGS[service]):
        if stage != "runtime":
            continue
        if ins == "COPY" and args.startswith("--from=builder /src/"):
            # Files the builder stage left in its /src (alembic.ini, migrations/).
            src, dest = shlex.split(args.removeprefix("--from=builder "))
            if (scratch / src.lstrip("/")).exists():
                _copy(scratch / src.lstrip("/"), app / dest)
        elif ins == "COPY" and not args.startswith("--from"):
            _apply_copy(args, app)
        elif ins == "ENV":
            env.update(_env_pairs(args))
        elif ins == "CMD":
            cmd = json.loads(args)
    for folder in [app, *app.rglob("*")]:
        if folder.is_dir():
            folder.chmod(0o755)
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    return app, env, cmd


def _as_app_user(argv: list[str]) -> list[str]:
    return ["setpriv", f"--reuid={APP_UID}", f"--regid={APP_UID}", "--clear-groups", *argv]


@pytest.fixture
def writable_home() -> Iterator[Path]:
    # The image's only writable place is /tmp (an emptyDir/tmpfs); here, a private folder of uid 10001.
    home = Path(tempfile.mkdtemp(prefix="fitness-tmp-"))
    os.chown(home, APP_UID, APP_UID)
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


@runtime
@pytest.mark.parametrize("service", ["identity", "nutrition"])
def test_migrations_and_relay_run_from_the_image_layout_as_non_root(
    service: str, scratch_root: Path, built: dict[str, Path], writable_home: Path
) -> None:
    admin_url = os.environ.get("FITNESS_TEST_PG_ADMIN_URL")
    if not admin_url:
        pytest.fail("FITNESS_TEST_PG_ADMIN_URL not set (the root conftest starts PostgreSQL)")
    import psycopg

    venv = _venv_for(service, scratch_root, built)
    app, env, _ = _runtime_layout(service, venv, scratch_root / service)
    env.update(HOME=str(writable_home), TMPDIR=str(writable_home))
    schema = f"ops_{service}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        # The compose/Helm migration command, from the image's working directory.
        argv = [
            "python", "-m", "alembic", "-c", f"services/{service}/alembic.ini",
            "-x", f"schema={schema}", "-x", f"url={_sqlalchemy_url(admin_url)}",
            "upgrade", "head",
        ]  # fmt: skip
        result = subprocess.run(
            _as_app_user(argv), cwd=app, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr[-3000:]
        with psycopg.connect(admin_url) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            ).fetchone()
        assert tables is not None
        assert tables[0] > 1, "alembic ran but created no tables"
        _relay_exports_outbox_metrics(service, app, env, admin_url, schema, writable_home)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _poll(url: str, proc: subprocess.Popen[bytes], want: str, seconds: float = 60) -> str | None:
    """GET ``url`` until its body contains ``want`` (or the process dies / time runs out)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http on loopback)
                body = response.read().decode()
            if want in body:
                return body
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _relay_exports_outbox_metrics(
    service: str, app: Path, env: dict[str, str], admin_url: str, schema: str, home: Path
) -> None:
    """The relay Deployment/compose container: same image, `python -m <svc>.relay`, metrics on
    <PREFIX>_RELAY_METRICS_PORT with the names the dashboards and alerts use."""
    prefix = service.upper()
    port = free_port()
    relay_env = {
        **env,
        f"{prefix}_ENVIRONMENT": "dev",
        f"{prefix}_DATABASE_URL": _sqlalchemy_url(admin_url),
        f"{prefix}_DB_SCHEMA": schema,
        f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": os.environ.get("FITNESS_TEST_KAFKA_BOOTSTRAP", ""),
        f"{prefix}_RELAY_METRICS_PORT": str(port),
        f"{prefix}_STATE_DIR": str(home / "state"),
    }
    log = home / "relay.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            _as_app_user(["python", "-m", f"{service}.relay"]),
            cwd=app,
            env=relay_env,
            stdout=out,
            stderr=out,
        )
    try:
        body = _poll(f"http://127.0.0.1:{port}/metrics", proc, "outbox_oldest_age_seconds")
        assert body is not None, f"exit={proc.poll()}\n{log.read_text()[-3000:]}"
        for metric in ("outbox_backlog", "outbox_published_total", "outbox_publish_errors_total"):
            assert metric in body, f"relay does not export {metric}"
    finally:
        _stop(proc)


@runtime
@pytest.mark.parametrize("service", sorted(DOCKERFILES))
def test_api_serves_health_as_non_root_with_read_only_code(
    service: str, scratch_root: Path, built: dict[str, Path], writable_home: Path
) -> None:
    needed = ("FITNESS_TEST_PG_ADMIN_URL", "FITNESS_TEST_REDIS_URL", "FITNESS_TEST_KAFKA_BOOTSTRAP")
    if not all(os.environ.get(n) for n in needed):
        pytest.fail("the test session's backing services are not exported")
    venv = _venv_for(service, scratch_root, built)
    app, env, cmd = _runtime_layout(service, venv, scratch_root / service)
    prefix = service.upper()
    env.update(
        {
            "HOME": str(writable_home),
            "TMPDIR": str(writable_home),
            f"{prefix}_STATE_DIR": str(writable_home / "state"),
            f"{prefix}_ENVIRONMENT": "dev",
            f"{prefix}_DATABASE_URL": _sqlalchemy_url(os.environ["FITNESS_TEST_PG_ADMIN_URL"]),
            f"{prefix}_DB_SCHEMA": service,
            f"{prefix}_REDIS_URL": os.environ["FITNESS_TEST_REDIS_URL"],
            f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": os.environ["FITNESS_TEST_KAFKA_BOOTSTRAP"],
            # fetched lazily, on the first token: nothing needs to answer for /health/live
            f"{prefix}_JWKS_URL": f"http://127.0.0.1:{free_port()}/.well-known/jwks.json",
        }
    )
    port = free_port()
    # The image's CMD, but on loopback and a free port.
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    cmd[cmd.index("--host") + 1] = "127.0.0.1"
    cmd[cmd.index("--port") + 1] = str(port)
    log = writable_home / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(_as_app_user(cmd), cwd=app, env=env, stdout=out, stderr=out)
    try:
        body = _poll(f"http://127.0.0.1:{port}/health/live", proc, "")
        assert body is not None, f"exit={proc.poll()}\n{log.read_text()[-3000:]}"
        # the instrumentator's metrics, which the dashboards and alerts are written against
        metrics = _poll(f"http://127.0.0.1:{port}/metrics", proc, "http_request")
        assert metrics is not None
    finally:
        _stop(proc)
    # The image's code is not writable by the app user: nothing may have been written there.
    written = [
        path for root in (app, venv) for path in root.rglob("*") if path.stat().st_uid == APP_UID
    ]
    assert not written, written[:5]
