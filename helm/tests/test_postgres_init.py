"""infra/postgres/init/01-schemas-roles.sql (the compose `db-init` job) against the test session's
real PostgreSQL, inside one transaction that is rolled back: roles and schemas are transactional
in PostgreSQL, so the shared test cluster is left exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (ROOT / "infra" / "postgres" / "init" / "01-schemas-roles.sql").read_text()
SCHEMAS = ("identity", "nutrition", "training", "progress", "goals", "media")


@pytest.fixture
def admin() -> Iterator[psycopg.Connection]:
    url = os.environ.get("FITNESS_TEST_PG_ADMIN_URL")
    if not url:
        pytest.fail("FITNESS_TEST_PG_ADMIN_URL not set (the root conftest starts PostgreSQL)")
    with psycopg.connect(url) as conn:
        try:
            yield conn
        finally:
            conn.rollback()


def _run_script(conn: psycopg.Connection, **passwords: str) -> None:
    for svc, password in passwords.items():
        conn.execute("SELECT set_config(%s, %s, true)", (f"fitness.password_{svc}", password))
    conn.execute(SCRIPT)


def test_each_service_role_owns_exactly_its_schema(admin: psycopg.Connection) -> None:
    _run_script(admin, identity="id-secret")
    _run_script(admin)  # idempotent: a second `docker compose up` changes nothing

    owners = dict(
        admin.execute(
            "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = ANY(%s)",
            (list(SCHEMAS),),
        ).fetchall()
    )
    assert owners == {schema: f"{schema}_svc" for schema in SCHEMAS}

    flags = admin.execute(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolpassword IS NOT NULL"
        " FROM pg_authid WHERE rolname = 'identity_svc'"
    ).fetchone()
    assert flags == (False, False, False, True, True)

    search_path = admin.execute(
        "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
        " WHERE r.rolname = 'nutrition_svc' AND s.setdatabase ="
        " (SELECT oid FROM pg_database WHERE datname = current_database())"
    ).fetchone()
    assert search_path == (["search_path=nutrition"],)


def test_a_service_role_cannot_touch_another_schema(admin: psycopg.Connection) -> None:
    _run_script(admin)
    admin.execute("SET LOCAL ROLE identity_svc")
    admin.execute("CREATE TABLE identity.ops_probe (id int)")  # its own schema: allowed
    for other in ("nutrition", "public"):
        with pytest.raises(errors.InsufficientPrivilege), admin.transaction():
            admin.execute(f"CREATE TABLE {other}.ops_probe (id int)")
    with pytest.raises(errors.InsufficientPrivilege), admin.transaction():
        admin.execute("CREATE SCHEMA ops_probe")
