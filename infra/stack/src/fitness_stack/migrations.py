"""Run each built service's Alembic migrations as that service's role."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from fitness_stack.state import SERVICES


def repo_root() -> Path:
    """The workspace root (the members are installed editable, so this file is in the repo)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "services").is_dir() and (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def alembic_ini(service: str, root: Path) -> Path:
    return root / "services" / service / "alembic.ini"


def migratable(root: Path) -> list[str]:
    return [s for s in SERVICES if alembic_ini(s, root).is_file()]


@dataclass(frozen=True)
class MigrationResult:
    service: str
    ok: bool
    output: str


def upgrade(service: str, url: str, root: Path) -> MigrationResult:
    argv = [
        sys.executable,
        "-m",
        "alembic",
        "-c",
        str(alembic_ini(service, root)),
        "-x",
        f"schema={service}",
        "-x",
        f"url={url}",
        "upgrade",
        "head",
    ]
    result = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    return MigrationResult(service, result.returncode == 0, result.stdout + result.stderr)
