"""Replays each Dockerfile's builder stage without Docker: its COPY lines into a scratch folder and
its `uv sync` commands against it. This proves the two-step sync works from exactly the files the
image copies (a manifest or source folder the Dockerfile forgets fails here), and that the result
is a self-contained virtualenv with the service, its entry points' dependencies and its data files.
What it can't prove: anything about the base image itself (no Docker engine on this machine).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = {
    "identity": ROOT / "services" / "identity" / "Dockerfile",
    "nutrition": ROOT / "services" / "nutrition" / "Dockerfile",
    "gateway": ROOT / "gateway" / "Dockerfile",
}

# uv on PATH, else where infra/bootstrap.py installs it for `make test`.
UV = shutil.which("uv") or next(
    (str(p) for p in [ROOT / ".local" / "tools" / "uv" / "bin" / "uv"] if p.is_file()), None
)
pytestmark = pytest.mark.skipif(UV is None, reason="uv not found (run `make sync`)")


def _builder_stage(dockerfile: Path) -> list[tuple[str, str]]:
    """The builder stage's instructions, continuation lines joined."""
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
    stage: list[tuple[str, str]] = []
    inside = False
    for line in lines:
        ins, _, args = line.partition(" ")
        if ins.upper() == "FROM":
            inside = args.strip().endswith("AS builder")
            continue
        if inside:
            stage.append((ins.upper(), args.strip()))
    assert stage, f"{dockerfile}: no `AS builder` stage"
    return stage


def _copy(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


@pytest.mark.parametrize("service", sorted(DOCKERFILES))
def test_builder_stage_produces_a_working_venv(service: str, tmp_path: Path) -> None:
    workdir = tmp_path
    venv = tmp_path / "venv"
    env = {
        **os.environ,
        "UV_PYTHON": sys.executable,
        "UV_NO_PROGRESS": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    ran_sync = 0
    for ins, args in _builder_stage(DOCKERFILES[service]):
        if ins == "ENV":
            for key, value in re.findall(r"(\w+)=(\S+)", args):
                env[key] = value
            env["UV_PROJECT_ENVIRONMENT"] = str(venv)  # the image uses /app/.venv
            # Speed only: bytecode compilation and copying matter in the image, not here.
            env["UV_COMPILE_BYTECODE"] = "0"
            env.pop("UV_LINK_MODE", None)
        elif ins == "WORKDIR":
            workdir = tmp_path / args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif ins == "COPY" and not args.startswith("--from"):
            *sources, dest = shlex.split(args)
            for src in sources:
                target = workdir / dest
                if dest.endswith("/"):
                    target = target / Path(src).name
                _copy(ROOT / src, target)
        elif ins == "RUN":
            command = re.sub(r"--mount=\S+\s*", "", args).strip()
            assert command.startswith("uv sync"), f"unexpected RUN in builder: {command}"
            argv = shlex.split(command)
            result = subprocess.run(
                [str(UV), *argv[1:]], cwd=workdir, env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, f"`{command}` failed:\n{result.stderr[-3000:]}"
            ran_sync += 1
    assert ran_sync == 2, "dependencies layer + project layer expected"

    python = venv / "bin" / "python"
    probe = (
        "import importlib.util as u, pathlib, sys\n"
        f"spec = u.find_spec('{service}.main')\n"
        "assert spec is not None, 'entry module missing'\n"
        # installed as a wheel into the venv, not as a link back to the build folder
        "assert str(pathlib.Path(spec.origin).resolve()).startswith(sys.prefix), spec.origin\n"
        "import uvicorn, uvloop, httptools, alembic, psycopg\n"
        "print('ok')\n"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    # No dev tools in the image.
    for dev_tool in ("pytest", "ruff", "mypy"):
        assert not (venv / "bin" / dev_tool).exists(), f"{dev_tool} leaked into the image"


def test_package_data_files_are_in_the_wheel(tmp_path: Path) -> None:
    """Non-Python files under src/<pkg>/ (nutrition's food tables) must reach the image."""
    data = ROOT / "services" / "nutrition" / "src" / "nutrition" / "data"
    csvs = sorted(p.name for p in data.glob("*.csv"))
    if not csvs:
        pytest.skip("nutrition ships no data files")
    result = subprocess.run(
        [str(UV), "build", "--wheel", "--package", "fitness-nutrition", "-o", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import zipfile

    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for csv in csvs:
        assert f"nutrition/data/{csv}" in names
