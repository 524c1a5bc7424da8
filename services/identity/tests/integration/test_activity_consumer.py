"""Activity from domain events: the handler through the inbox, then the real consumer process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_contracts import topics
from fitness_platform.cloudevents import CloudEventMeta
from fitness_platform.db import create_sessionmaker
from fitness_platform.events import EventEnvelope, process_event
from fitness_platform.testing import wait_until
from identity import consumers
from identity.settings import IdentitySettings

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def _new_user(client: httpx.AsyncClient) -> uuid.UUID:
    resp = await client.post(
        "/auth/register",
        json={
            "email": f"act-{uuid.uuid4().hex[:12]}@example.com",
            "password": PASSWORD,
            "name": "A",
        },
    )
    assert resp.status_code == 201, resp.text
    return uuid.UUID(resp.json()["id"])


def _envelope(
    user_id: uuid.UUID | None,
    *,
    at: datetime,
    event_type: str = "nutrition.intake.logged.v1",
    event_id: uuid.UUID | None = None,
    subject: str | None = None,
) -> EventEnvelope:
    data: dict[str, Any] = {"entryId": str(uuid.uuid4())}
    if user_id is not None:
        data["userId"] = str(user_id)
    return EventEnvelope(
        meta=CloudEventMeta(
            id=event_id or uuid.uuid4(),
            type=event_type,
            source="/nutrition",
            time=at,
            subject=subject,
            correlation_id=None,
            traceparent=None,
        ),
        data=data,
    )


async def _days(engine: AsyncEngine, user_id: uuid.UUID) -> list[date]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT day FROM user_activity WHERE user_id = :u ORDER BY day"), {"u": user_id}
        )
        return list(rows.scalars())


async def _process(sessions: async_sessionmaker[AsyncSession], envelope: EventEnvelope) -> bool:
    consumer = f"identity.{consumers.consumer_name(topics.NUTRITION_INTAKE)}"
    return await process_event(sessions, consumer, envelope, consumers.on_domain_event)


async def test_an_event_delivered_twice_counts_once(
    client: httpx.AsyncClient, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await _new_user(client)
    event = _envelope(user_id, at=datetime(2026, 11, 2, 23, 59, tzinfo=UTC))
    assert await _process(sessions, event) is True
    assert await _process(sessions, event) is False  # same ce_id: skipped by the inbox
    assert await _days(engine, user_id) == [date(2026, 11, 2)]
    async with engine.connect() as conn:
        marks = (
            await conn.execute(
                text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event.meta.id}
            )
        ).scalar_one()
    assert marks == 1


async def test_distinct_events_count_per_utc_day(
    client: httpx.AsyncClient, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await _new_user(client)
    # Two events on Nov 3 (one given with a +02:00 offset, still Nov 3 in UTC), one on Nov 4.
    for at in (
        datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
        datetime.fromisoformat("2026-11-04T01:30:00+02:00"),
        datetime(2026, 11, 4, 0, 0, tzinfo=UTC),
    ):
        assert await _process(sessions, _envelope(user_id, at=at))
    assert await _days(engine, user_id) == [date(2026, 11, 3), date(2026, 11, 4)]


async def test_subject_is_used_when_the_payload_has_no_user_id(
    client: httpx.AsyncClient, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await _new_user(client)
    at = datetime(2026, 11, 5, 12, tzinfo=UTC)
    await _process(sessions, _envelope(None, at=at, subject=str(user_id)))
    assert await _days(engine, user_id) == [date(2026, 11, 5)]


async def test_events_that_are_not_activity_change_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await _new_user(client)
    at = datetime(2026, 11, 6, 12, tzinfo=UTC)
    # An erasure is not something the user did; an unknown user or no user id is ignored
    # (processed, so not retried or dead-lettered).
    assert await _process(
        sessions, _envelope(user_id, at=at, event_type="identity.user.deleted.v1")
    )
    assert await _process(sessions, _envelope(uuid.uuid4(), at=at))
    assert await _process(sessions, _envelope(None, at=at, subject="not-a-uuid"))
    assert await _days(engine, user_id) == []


async def test_a_future_event_time_counts_for_today(
    client: httpx.AsyncClient, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await _new_user(client)
    await _process(sessions, _envelope(user_id, at=datetime.now(UTC) + timedelta(days=400)))
    assert await _days(engine, user_id) == [datetime.now(UTC).date()]


async def test_the_consumer_process_records_activity_from_the_real_broker(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: IdentitySettings,
    process_env: Callable[..., dict[str, str]],
) -> None:
    bootstrap = os.environ["FITNESS_TEST_KAFKA_BOOTSTRAP"]
    await _ensure_topics(bootstrap)
    user_id = await _new_user(client)
    event_id = uuid.uuid4()
    at = datetime(2026, 11, 7, 9, 30, tzinfo=UTC)
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", str(event_id).encode()),
        ("ce_type", b"nutrition.intake.logged.v1"),
        ("ce_source", b"/nutrition"),
        ("ce_time", b"2026-11-07T09:30:00Z"),
        ("ce_subject", str(user_id).encode()),
        ("content-type", b"application/json"),
        ("correlation_id", b"e2e-activity-1"),
    ]
    payload = {
        "userId": str(user_id),
        "entryId": str(uuid.uuid4()),
        "day": at.date().isoformat(),
        "loggedAt": "2026-11-07T09:30:00Z",
    }
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for _ in range(2):  # delivered twice: still one activity day, one inbox mark
            await producer.send_and_wait(
                topics.NUTRITION_INTAKE,
                orjson.dumps(payload),
                key=str(user_id).encode(),
                headers=headers,
            )
    finally:
        await producer.stop()

    # The real process entry, as the launcher runs it.
    proc = subprocess.Popen(  # noqa: ASYNC220 - starting a child does not block
        [sys.executable, "-m", "identity.consumer"],
        env=process_env(
            settings,
            # A new group's first join waits about half the session timeout on tansu.
            IDENTITY_KAFKA_SESSION_TIMEOUT_MS="2000",
            IDENTITY_KAFKA_HEARTBEAT_INTERVAL_MS="300",
        ),
    )
    try:
        days = await wait_until(
            lambda: _days(engine, user_id), timeout=60, message="activity row from the consumer"
        )
        assert days == [date(2026, 11, 7)]

        async def both_seen() -> bool:
            async with engine.connect() as conn:
                marks = (
                    await conn.execute(
                        text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id}
                    )
                ).scalar_one()
            return bool(marks == 1)

        assert await wait_until(both_seen, timeout=10, message="inbox mark")
        assert proc.poll() is None, "consumer exited early"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert await _days(engine, user_id) == [date(2026, 11, 7)]


async def _ensure_topics(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for topic in consumers.ACTIVITY_TOPICS:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()


async def test_inbox_prune_forgets_only_old_activity_ids(
    client: httpx.AsyncClient, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await _new_user(client)
    old, recent, foreign = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for event_id in (old, recent):
        at = datetime(2026, 11, 8, tzinfo=UTC)
        await _process(sessions, _envelope(user_id, at=at, event_id=event_id))
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO inbox (consumer, event_id) VALUES ('identity.other', :e)"),
            {"e": foreign},
        )
        await conn.execute(
            text(
                "UPDATE inbox SET processed_at = now() - interval '31 days' "
                "WHERE event_id IN (:old, :foreign)"
            ),
            {"old": old, "foreign": foreign},
        )
    assert await consumers.prune_inbox(sessions, service_name="identity") >= 1
    async with engine.connect() as conn:
        left = set(
            (
                await conn.execute(
                    text("SELECT event_id FROM inbox WHERE event_id IN (:a, :b, :c)"),
                    {"a": old, "b": recent, "c": foreign},
                )
            ).scalars()
        )
    assert left == {recent, foreign}
