"""down stops everything by PID; a second up reuses the data; failures name the piece."""

import socket
from pathlib import Path

import psycopg
import pytest

from fitness_stack import Stack, StackError, free_port_offset
from fitness_stack.admin import grant_admin
from fitness_stack.processes import pid_alive

pytestmark = pytest.mark.timeout(180)


def make(state_dir: Path, offset: int) -> Stack:
    return Stack(state_dir, offset, "memory", start_fleet=False, durable=False, environ={})


def test_down_kills_everything_and_up_reuses_the_database(tmp_path: Path) -> None:
    offset = free_port_offset(backing_only=True)
    stack = make(tmp_path / "state", offset)
    try:
        stack.up()
        with psycopg.connect(stack.endpoints.pg_admin_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE public.survivor (v text)")
            conn.execute("INSERT INTO public.survivor VALUES ('still here')")
        pids = {n: stack.procs.record(n) for n in stack.procs.names()}
        assert len(pids) == 5
        stopped = stack.down()
        assert set(stopped) == set(pids)
        for rec in pids.values():
            assert rec is not None
            assert not pid_alive(rec.pid)
        assert stack.procs.names() == []

        again = make(tmp_path / "state", offset)
        assert again._postgres() == "ok (reused data)"
        again.up()
        with psycopg.connect(again.endpoints.pg_admin_url) as conn:
            row = conn.execute("SELECT v FROM public.survivor").fetchone()
        assert row == ("still here",)
    finally:
        stack.down()


def test_occupied_port_fails_with_the_piece_named(tmp_path: Path) -> None:
    offset = free_port_offset(backing_only=True)
    stack = make(tmp_path / "state", offset)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", stack.ports.redis))
        blocker.listen()
        try:
            with pytest.raises(StackError, match=r"port \d+ is already in use") as info:
                stack.up()
            assert info.value.name == "redis"
        finally:
            stack.down()


def test_admin_grant_on_identity_users(tmp_path: Path) -> None:
    stack = make(tmp_path / "state", free_port_offset(backing_only=True))
    try:
        stack.up()
        url = stack.endpoints.service_database_urls["identity"].replace("+psycopg", "")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE users (id serial, email text, roles text[])")
            conn.execute("INSERT INTO users (email, roles) VALUES ('Ann@Example.com', '{user}')")
        admin = stack.endpoints.pg_admin_url
        assert "granted role admin" in grant_admin(admin, "ann@example.com")
        assert "already has role admin" in grant_admin(admin, "ann@example.com")
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT roles FROM users").fetchone()
        assert row == (["user", "admin"],)
        with pytest.raises(LookupError, match="no identity user"):
            grant_admin(admin, "ghost@example.com")
    finally:
        stack.down()


def test_up_with_another_offset_while_running_is_refused(tmp_path: Path) -> None:
    offset = free_port_offset(backing_only=True)
    stack = make(tmp_path / "state", offset)
    try:
        stack.up()
        other = make(tmp_path / "state", offset + 1 if offset < 6000 else offset - 1)
        with pytest.raises(StackError, match=f"already running with port offset {offset}"):
            other.up()
    finally:
        stack.down()
    assert stack.procs.names() == []
