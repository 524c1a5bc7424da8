"""Outbox → relay → Kafka, in order, with CloudEvents headers; nothing lost while Kafka is down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_contracts.base import IntegrationEvent
from fitness_platform.events import parse_cloudevent
from fitness_platform.logging import correlation_id_var
from fitness_platform.outbox import OUTBOX, OutboxRelay, ProducerSettings, add_event
from fitness_platform.testing import consume_n, record_headers, record_json, wait_until


def event_class(topic: str) -> type[IntegrationEvent]:
    class Numbered(IntegrationEvent):
        event_type: ClassVar[str] = "platformtest.thing.numbered.v1"
        topic: ClassVar[str]
        user_id: uuid.UUID
        seq: int

    Numbered.topic = topic
    return Numbered


def relay_for(engine: AsyncEngine, schema: str, bootstrap: str, **kw: object) -> OutboxRelay:
    cfg = ProducerSettings(
        bootstrap_servers=bootstrap,
        service="platformtest",
        request_timeout_ms=2000,
        backoff_base_s=0.1,
        backoff_max_s=0.5,
        **kw,  # type: ignore[arg-type]
    )
    return OutboxRelay(engine, schema, cfg)


async def add_numbered(
    sm: async_sessionmaker[AsyncSession], cls: type[IntegrationEvent], user: uuid.UUID, seqs: range
) -> list[uuid.UUID]:
    async with sm() as session, session.begin():
        return [
            await add_event(session, cls(user_id=user, seq=i), key=user)  # type: ignore[call-arg]
            for i in seqs
        ]


async def unpublished(sm: async_sessionmaker[AsyncSession]) -> int:
    async with sm() as session:
        q = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None))
        return int((await session.execute(q)).scalar_one())


async def test_add_event_and_relay_publish_in_order(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    schema,
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    cls = event_class(unique_topic)
    user = uuid.uuid4()
    token = correlation_id_var.set("corr-outbox-1")
    try:
        ids = await add_numbered(sessionmaker, cls, user, range(7))
    finally:
        correlation_id_var.reset(token)

    relay = relay_for(engine, schema.schema, kafka_bootstrap, batch_size=3)
    assert await relay.drain() == 7
    assert await unpublished(sessionmaker) == 0

    records = await consume_n(kafka_bootstrap, unique_topic, 7)
    assert [record_json(r)["seq"] for r in records] == list(range(7))
    assert all(r.key == str(user).encode() for r in records)
    first = record_headers(records[0])
    assert first["ce_specversion"] == "1.0"
    assert first["ce_type"] == "platformtest.thing.numbered.v1"
    assert first["ce_source"] == "/platformtest"
    assert first["ce_subject"] == str(user)
    assert first["content-type"] == "application/json"
    assert first["correlation_id"] == "corr-outbox-1"
    assert [parse_cloudevent(r.headers).id for r in records] == ids
    assert record_json(records[0]) == {"userId": str(user), "seq": 0}


async def test_rolled_back_transaction_publishes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], unique_topic: str
) -> None:
    cls = event_class(unique_topic)
    async with sessionmaker() as session:
        await add_event(session, cls(user_id=uuid.uuid4(), seq=1), key="k")  # type: ignore[call-arg]
        await session.rollback()
    assert await unpublished(sessionmaker) == 0


@asynccontextmanager
async def _listening_relay(relay: OutboxRelay) -> AsyncIterator[OutboxRelay]:
    """The relay running, LISTENing; stopped (cleanly) when the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await wait_until(relay.listening.is_set, timeout=10, message="relay LISTENing")
        yield relay
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert task.exception() is None


async def _notify_publishes(
    relay: OutboxRelay,
    sessionmaker: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    topic: str,
) -> None:
    # Idle after its first pass (which had nothing to publish) and with no wake-up pending.
    await wait_until(
        lambda: relay.idle.is_set() and not relay._wake.is_set(), timeout=10, message="idle"
    )
    await add_numbered(sessionmaker, event_class(topic), uuid.uuid4(), range(2))
    records = await consume_n(kafka_bootstrap, topic, 2, timeout=15)
    assert [record_json(r)["seq"] for r in records] == [0, 1]


async def test_listen_notify_wakes_the_relay(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    schema,
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    # Polling every 10 minutes: only the NOTIFY can make the event go out within the test.
    relay = relay_for(engine, schema.schema, kafka_bootstrap, poll_interval_s=600.0)
    async with _listening_relay(relay):
        await _notify_publishes(relay, sessionmaker, kafka_bootstrap, unique_topic)


async def test_a_lost_listen_connection_is_reopened(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    schema,
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    """The relay watches the LISTEN socket itself (no psycopg polling timer): when the server
    drops that connection the relay notices, LISTENs again, and NOTIFY wakes it as before."""
    from sqlalchemy import text

    relay = relay_for(engine, schema.schema, kafka_bootstrap, poll_interval_s=600.0)
    async with _listening_relay(relay):
        async with engine.connect() as conn:
            killed = (
                await conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE query = :q AND pid <> pg_backend_pid()"
                    ),
                    {"q": f'LISTEN "{relay.channel}"'},
                )
            ).scalar_one()
        assert killed == 1
        await wait_until(lambda: not relay.listening.is_set(), timeout=10, message="loss noticed")
        await wait_until(relay.listening.is_set, timeout=20, message="LISTENing again")
        await _notify_publishes(relay, sessionmaker, kafka_bootstrap, unique_topic)


# ---------------------------------------------------------------- broker outage


async def test_broker_outage_loses_nothing_and_keeps_order(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    schema,
    own_broker: Any,
    unique_topic: str,
) -> None:
    await wait_until(own_broker.accepting, timeout=10, message="tansu up")
    cls = event_class(unique_topic)
    user = uuid.uuid4()
    relay = relay_for(engine, schema.schema, own_broker.bootstrap, poll_interval_s=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        # Warm up: the relay's producer is connected before the outage.
        await add_numbered(sessionmaker, cls, user, range(1))
        await wait_until(_is_zero(sessionmaker), timeout=15, message="warm-up published")

        await asyncio.to_thread(own_broker.stop)
        await add_numbered(sessionmaker, cls, user, range(1, 4))
        # The relay tries, fails and records the error; the rows wait.
        await wait_until(_has_error(sessionmaker), timeout=20, message="publish error recorded")
        assert await unpublished(sessionmaker) == 3

        await asyncio.to_thread(own_broker.start)
        await wait_until(_is_zero(sessionmaker), timeout=30, message="backlog drained")
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)

    # memory storage: the restarted broker only has what was published after the restart.
    records = await consume_n(own_broker.bootstrap, unique_topic, 3, timeout=15)
    assert [record_json(r)["seq"] for r in records] == [1, 2, 3]
    for r in records:
        meta = parse_cloudevent(r.headers)
        assert meta.type == "platformtest.thing.numbered.v1"
        assert meta.time is not None
        assert meta.time <= datetime.now(UTC)


def _is_zero(sm: async_sessionmaker[AsyncSession]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await unpublished(sm) == 0

    return check


def _has_error(sm: async_sessionmaker[AsyncSession]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        async with sm() as session:
            q = select(func.max(OUTBOX.c.attempts)).where(OUTBOX.c.last_error.is_not(None))
            return bool((await session.execute(q)).scalar())

    return check


async def test_published_rows_are_deleted_after_retention(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    schema,
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    await add_numbered(sessionmaker, event_class(unique_topic), uuid.uuid4(), range(3))
    relay = relay_for(engine, schema.schema, kafka_bootstrap, retention=timedelta(hours=1))
    assert await relay.drain() == 3
    async with sessionmaker() as s, s.begin():
        # Age two of them past the retention; the third stays.
        first_two = select(OUTBOX.c.id).order_by(OUTBOX.c.id).limit(2).scalar_subquery()
        await s.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(first_two))
            .values(published_at=func.now() - timedelta(hours=2))
        )
    assert await relay.delete_published() == 2
    async with sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(OUTBOX))).scalar_one() == 1
