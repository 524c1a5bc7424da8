"""``run_relay(settings)`` as a real process: publishes, exposes metrics, stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import urllib.request
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_platform.outbox import add_event
from fitness_platform.testing import FreshSchema, consume_n, free_port, record_json, wait_until

RELAY_MAIN = """
from fitness_platform.outbox import run_relay
from fitness_platform.settings import ServiceSettings
run_relay(ServiceSettings())
"""


def _metrics(port: int, host: str = "127.0.0.2") -> str:
    # METRICS_HOST=127.0.0.2 below: serving there proves run_relay honours metrics_host.
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=1) as resp:
            return resp.read().decode()
    except OSError:
        return ""


async def test_relay_process(
    schema: FreshSchema,
    sessionmaker: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
) -> None:
    from fitness_contracts.identity import UserLoggedInV1

    port = free_port()
    env = {
        **os.environ,
        "SERVICE_NAME": "relayproc",
        "ENVIRONMENT": "test",
        "DATABASE_URL": schema.url,
        "DB_SCHEMA": schema.schema,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "RELAY_METRICS_PORT": str(port),
        "METRICS_HOST": "127.0.0.2",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RELAY_MAIN, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        user = uuid.uuid4()
        async with sessionmaker() as s, s.begin():
            event = UserLoggedInV1(user_id=user, at="2026-11-27T21:00:00Z")  # type: ignore[arg-type]
            await add_event(s, event, key=user)
        # The contract class decides the topic; read it from identity.user, filtered by key.
        records = await consume_n(
            kafka_bootstrap, UserLoggedInV1.topic, 1, timeout=20, key=str(user).encode()
        )
        assert record_json(records[0])["userId"] == str(user)
        # The gauges are refreshed right after the batch that bumped the counter: wait for both.
        text = await wait_until(
            lambda: (
                (body := _metrics(port))
                and 'outbox_published_total{service="relayproc"} 1.0' in body
                and 'outbox_backlog{service="relayproc"}' in body
                and body
            ),
            timeout=10,
            message="metrics served",
        )
        assert 'outbox_published_total{service="relayproc"} 1.0' in text
        assert 'outbox_backlog{service="relayproc"}' in text
        assert _metrics(port, host="127.0.0.1") == ""  # not bound there
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0
    assert b"outbox relay stopped" in out
