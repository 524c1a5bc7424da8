"""Run each built service's Alembic migrations as that service's role.

`make up` on an existing folder skips a service whose `alembic_version` already holds the
head revisions of its scripts (read statically from the version files: starting Alembic costs
~1.5 CPU-s per service, checking costs one query); any doubt means Alembic runs.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from fitness_stack import postgres
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
    skipped: bool = False


def _constant(node: ast.expr) -> object:
    value = ast.literal_eval(node)
    if isinstance(value, str | None):
        return value
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"not a revision id: {value!r}")


def _revision_ids(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """(revision, down revisions) of one version file, None when it does not say plainly."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(), str(path)).body:
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            try:
                found[target.id] = _constant(value)
            except ValueError:
                return None
    revision, down = found.get("revision"), found.get("down_revision")
    if not isinstance(revision, str):
        return None
    if down is None:
        return revision, ()
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, tuple):
        return revision, down
    return None


def script_heads(service: str, root: Path) -> frozenset[str] | None:
    """Head revisions of a service's migration scripts; None when a file cannot be read
    statically (then the caller runs Alembic, which knows best)."""
    versions = alembic_ini(service, root).parent / "migrations" / "versions"
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        try:
            ids = _revision_ids(path)
        except (OSError, SyntaxError):
            return None
        if ids is None:
            return None
        revisions.add(ids[0])
        parents.update(ids[1])
    if not revisions or not parents <= revisions:
        return None
    return frozenset(revisions - parents)


def applied_revisions(url: str, schema: str) -> frozenset[str] | None:
    """What `<schema>.alembic_version` holds; None when it cannot be read (no table yet)."""
    try:
        with psycopg.connect(postgres.to_libpq(url), connect_timeout=5) as conn:
            rows = conn.execute(
                sql.SQL("SELECT version_num FROM {}.alembic_version").format(sql.Identifier(schema))
            ).fetchall()
    except psycopg.Error:
        return None
    return frozenset(str(r[0]) for r in rows)


def at_head(service: str, url: str, root: Path) -> bool:
    heads = script_heads(service, root)
    return heads is not None and applied_revisions(url, service) == heads


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


def upgrade_all(
    urls: dict[str, str], root: Path, *, skip_at_head: bool = True
) -> list[MigrationResult]:
    """`alembic upgrade head` for each service not at its head yet, all at once: each touches
    only its own schema, and most of an Alembic run is Python start-up, which parallelises."""
    results = []
    todo = {}
    for service, url in urls.items():
        if skip_at_head and at_head(service, url, root):
            results.append(MigrationResult(service, True, "at head: skipped\n", skipped=True))
        else:
            todo[service] = url
    procs = {
        service: subprocess.Popen(
            _argv(service, url, root),
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for service, url in todo.items()
    }
    for service, proc in procs.items():
        output, _ = proc.communicate()
        results.append(MigrationResult(service, proc.returncode == 0, output))
    return results
