#!/usr/bin/env python3
"""Bootstrap for `make up` / `make test`: stdlib only, run with the machine's python3 (3.11+).

1. make sure `uv` exists (on PATH, else installed into a venv under `.local/tools/`),
2. `uv sync --frozen --all-packages` (the dev group is included by default),
3. exec `.venv/bin/python -m fitness_stack <args>`.

Usage: python3 infra/bootstrap.py [--no-sync] <fitness_stack args…>
       python3 infra/bootstrap.py sync          (or --sync-only: steps 1–2 only)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".local" / "tools"
UV_VENV = TOOLS / "uv"


def say(msg: str) -> None:
    print(f"[bootstrap] {msg}", flush=True)


def _bin(venv_dir: Path, name: str) -> Path:
    sub = "Scripts" if os.name == "nt" else "bin"
    return venv_dir / sub / name


def find_uv() -> str | None:
    found = shutil.which("uv")
    if found:
        return found
    local = _bin(UV_VENV, "uv")
    return str(local) if local.exists() else None


def install_uv() -> str:
    """Install uv into `.local/tools/uv` (a private venv: no PEP 668 trouble, nothing global);
    fall back to `pip install --user uv` where the venv module is unavailable."""
    say(f"uv not found; installing it into {UV_VENV}")
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(UV_VENV)
        subprocess.run(
            [str(_bin(UV_VENV, "python")), "-m", "pip", "install", "--quiet", "uv"], check=True
        )
        return str(_bin(UV_VENV, "uv"))
    except (subprocess.CalledProcessError, OSError) as exc:
        say(f"venv install failed ({exc}); trying pip install --user uv")
    subprocess.run([sys.executable, "-m", "pip", "install", "--user", "--quiet", "uv"], check=True)
    user_base = subprocess.run(
        [sys.executable, "-m", "site", "--user-base"], capture_output=True, text=True, check=True
    ).stdout.strip()
    candidate = Path(user_base) / "bin" / "uv"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("uv")
    if found:
        return found
    sys.exit("[bootstrap] uv was installed but cannot be found; add ~/.local/bin to PATH")


def sync(uv: str) -> None:
    say("uv sync --frozen --all-packages")
    result = subprocess.run([uv, "sync", "--frozen", "--all-packages"], cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(f"[bootstrap] uv sync failed (exit {result.returncode})")


def main(argv: list[str]) -> None:
    # Run by the machine's python3, which may well be older than the project's floor.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"[bootstrap] Python 3.11+ needed, this is {sys.version.split()[0]}")
    sync_only = "--sync-only" in argv or argv == ["sync"]
    no_sync = "--no-sync" in argv
    args = [a for a in argv if a not in ("--sync-only", "--no-sync", "sync")]
    if not no_sync:
        sync(find_uv() or install_uv())
    if sync_only:
        return
    python = _bin(ROOT / ".venv", "python")
    if not python.exists():
        sys.exit(f"[bootstrap] {python} missing: run without --no-sync")
    os.chdir(ROOT)
    os.execv(str(python), [str(python), "-m", "fitness_stack", *args])  # noqa: S606


if __name__ == "__main__":
    main(sys.argv[1:])
