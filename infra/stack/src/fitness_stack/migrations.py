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


def _argv(service: str, url: str, root: Path) -> list[str]:
    return [
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


def upgrade_all(urls: dict[str, str], root: Path) -> list[MigrationResult]:
    """`alembic upgrade head` for each service at once: each touches only its own schema, and
    most of an Alembic run is Python start-up, which parallelises."""
    procs = {
        service: subprocess.Popen(
            _argv(service, url, root),
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for service, url in urls.items()
    }
    results = []
    for service, proc in procs.items():
        output, _ = proc.communicate()
        results.append(MigrationResult(service, proc.returncode == 0, output))
    return results
