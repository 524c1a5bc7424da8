"""Idempotent consumers over a real broker: inbox dedup, retries, DLQ, GDPR erasure hook."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.topics import IDENTITY_USER
from fitness_platform.events import (
    EventEnvelope,
    cloudevent_headers,
    consume,
    make_broker,
    register_user_deletion_handler,
)
from fitness_platform.inbox import seen_before
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import consume_n, record_headers, wait_until


async def test_seen_before_dedups_per_consumer(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    eid = uuid.uuid4()
    async with sessionmaker() as s, s.begin():
        assert await seen_before(s, event_id=eid, consumer="a") is False
        assert await seen_before(s, event_id=eid, consumer="a") is True
        assert await seen_before(s, event_id=eid, consumer="b") is False


async def test_seen_before_rolls_back_with_the_effect(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    eid = uuid.uuid4()
    async with sessionmaker() as s, s.begin():
        assert await seen_before(s, event_id=eid, consumer="a") is False
        await s.rollback()
    async with sessionmaker() as s, s.begin():
        assert await seen_before(s, event_id=eid, consumer="a") is False


async def test_prune_inbox(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    from datetime import timedelta

    from fitness_platform.inbox import prune_inbox

    old, new = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as s, s.begin():
        await seen_before(s, event_id=old, consumer="a")
        await seen_before(s, event_id=new, consumer="a")
        await s.execute(
            text("UPDATE inbox SET processed_at = now() - interval '10 days' WHERE event_id = :e"),
            {"e": old},
        )
    async with sessionmaker() as s, s.begin():
        assert await prune_inbox(s, older_than=timedelta(days=7)) == 1
    async with sessionmaker() as s, s.begin():
        assert await seen_before(s, event_id=new, consumer="a") is True
        assert await seen_before(s, event_id=old, consumer="a") is False


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await p.start()
    yield p
    await p.stop()


async def publish(
    producer: AIOKafkaProducer,
    topic: str,
    body: bytes,
    *,
    event_type: str = "platformtest.thing.happened.v1",
    event_id: UUID | None = None,
) -> UUID:
    eid = event_id or uuid.uuid4()
    headers = cloudevent_headers(
        event_type=event_type,
        source="/test",
        event_id=eid,
        time=datetime.now(UTC),
        correlation_id="corr-consumer",
    )
    await producer.send_and_wait(topic, body, key=b"k", headers=headers)
    return eid


async def bump(session: AsyncSession, name: str) -> None:
    """An effect inside the event's transaction: one counter row per name."""
    await session.execute(
        text(
            "INSERT INTO erased_users (user_id) VALUES (:u) "
            "ON CONFLICT (user_id) DO UPDATE SET times = erased_users.times + 1"
        ),
        {"u": uuid.uuid5(uuid.NAMESPACE_URL, name)},
    )


async def effect_counts(
    sessionmaker: async_sessionmaker[AsyncSession], *names: str
) -> dict[str, int]:
    async with sessionmaker() as s:
        out = {}
        for name in names:
            q = text("SELECT times FROM erased_users WHERE user_id = :u")
            u = uuid.uuid5(uuid.NAMESPACE_URL, name)
            out[name] = (await s.execute(q, {"u": u})).scalar() or 0
        return out


async def test_duplicate_delivery_has_one_effect_and_failures_go_to_dlq(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    calls: dict[str, int] = {}

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        name = envelope.data["name"]
        calls[name] = calls.get(name, 0) + 1
        if name == "poison":
            raise RuntimeError("cannot digest poison")
        await bump(session, name)

    broker = make_broker(settings)
    consume(
        broker,
        unique_topic,
        settings=settings,
        consumer="t",
        session_factory=sessionmaker,
        handler=handler,
        max_attempts=3,
    )
    async with broker:
        await broker.start()
        first = await publish(producer, unique_topic, b'{"name": "a"}')
        await publish(producer, unique_topic, b'{"name": "a"}', event_id=first)  # redelivery
        await publish(producer, unique_topic, b'{"name": "poison"}')
        await publish(producer, unique_topic, b"not json")
        await publish(producer, unique_topic, b'{"name": "b"}')

        async def applied() -> bool:
            return await effect_counts(sessionmaker, "a", "b") == {"a": 1, "b": 1}

        await wait_until(applied, timeout=30, message="effects")

        dlq = await consume_n(kafka_bootstrap, f"{unique_topic}.dlq", 2, timeout=20)
    by_error = {record_headers(r)["error"].split(":")[0]: r for r in dlq}
    assert set(by_error) == {"RuntimeError", "InvalidCloudEvent"}
    poison = by_error["RuntimeError"]
    assert poison.value == b'{"name": "poison"}'
    assert record_headers(poison)["dlq_attempts"] == "3"
    assert record_headers(poison)["ce_type"] == "platformtest.thing.happened.v1"
    # Bounded retries; a handler may run again only after its batch was rolled back, so the
    # effects (rows, counted once each above) are what is exactly-once, not the calls.
    assert calls["poison"] == 3
    assert await effect_counts(sessionmaker, "a", "b", "poison") == {"a": 1, "b": 1, "poison": 0}


async def test_user_deletion_handler_erases_once(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
) -> None:
    user = uuid.uuid4()

    async def erase(session: AsyncSession, user_id: UUID) -> None:
        await session.execute(
            text(
                "INSERT INTO erased_users (user_id) VALUES (:u) "
                "ON CONFLICT (user_id) DO UPDATE SET times = erased_users.times + 1"
            ),
            {"u": user_id},
        )

    broker = make_broker(settings)
    register_user_deletion_handler(
        broker, settings=settings, session_factory=sessionmaker, erase=erase
    )
    body = f'{{"userId": "{user}", "deletedAt": "2026-11-27T21:00:00Z"}}'.encode()
    other = f'{{"userId": "{user}", "name": "x", "registeredAt": "2026-11-27T21:00:00Z"}}'.encode()

    async def times() -> int | None:
        async with sessionmaker() as s:
            q = text("SELECT times FROM erased_users WHERE user_id = :u")
            return (await s.execute(q, {"u": user})).scalar()

    async with broker:
        await broker.start()
        await publish(producer, IDENTITY_USER, other, event_type="identity.user.registered.v1")
        eid = await publish(producer, IDENTITY_USER, body, event_type="identity.user.deleted.v1")
        await publish(
            producer, IDENTITY_USER, body, event_type="identity.user.deleted.v1", event_id=eid
        )
        marker = await publish(
            producer, IDENTITY_USER, other, event_type="identity.user.registered.v1"
        )

        async def marker_seen() -> bool:
            async with sessionmaker() as s:
                q = text("SELECT 1 FROM inbox WHERE event_id = :e")
                return (await s.execute(q, {"e": marker})).first() is not None

        # The marker comes after the duplicate on the same partition: once it is in the inbox,
        # the duplicate has been handled (skipped) too.
        await wait_until(marker_seen, timeout=30, message="marker consumed")
    assert await times() == 1


async def test_processed_ids_skip_a_redelivery_without_the_database(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from fitness_platform.events import ProcessedIds, decode_event, process_event

    consumer = f"t-{uuid.uuid4().hex[:6]}"
    effects: list[str] = []

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        effects.append(envelope.data["name"])

    headers = cloudevent_headers(
        event_type="platformtest.thing.happened.v1",
        source="/test",
        event_id=uuid.uuid4(),
        time=datetime.now(UTC),
    )
    envelope = decode_event(headers, b'{"name": "a"}')
    # Committed before this process started: loaded from the inbox on first use.
    assert await process_event(sessionmaker, consumer, envelope, handler) is True
    processed = ProcessedIds(consumer)
    assert await process_event(sessionmaker, consumer, envelope, handler, processed) is False
    assert envelope.meta.id in processed

    other = decode_event(
        cloudevent_headers(
            event_type="platformtest.thing.happened.v1",
            source="/test",
            event_id=uuid.uuid4(),
            time=datetime.now(UTC),
        ),
        b'{"name": "b"}',
    )

    async def failing(session: AsyncSession, envelope: EventEnvelope) -> None:
        raise RuntimeError("effect failed")

    with pytest.raises(RuntimeError):
        await process_event(sessionmaker, consumer, other, failing, processed)
    assert other.meta.id not in processed  # rolled back: not remembered
    assert await process_event(sessionmaker, consumer, other, handler, processed) is True
    assert other.meta.id in processed
    assert effects == ["a", "b"]
