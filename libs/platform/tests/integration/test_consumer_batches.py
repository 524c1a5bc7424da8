"""Batch consumption: one transaction per fetch, still exactly-once per event, DLQ per event."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_platform.events import (
    BatchError,
    DeadLetters,
    EventEnvelope,
    ProcessedIds,
    cloudevent_headers,
    consume,
    decode_event,
    handle_batch,
    make_broker,
    process_batch,
    process_event,
)
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import consume_n, record_headers, wait_until

TYPE = "platformtest.thing.happened.v1"


def record(
    topic: str, offset: int, name: str | None, *, event_id: UUID | None = None, body: bytes = b""
) -> ConsumerRecord[Any, Any]:
    headers = cloudevent_headers(
        event_type=TYPE,
        source="/test",
        event_id=event_id or uuid.uuid4(),
        time=datetime.now(UTC),
        correlation_id=f"corr-{offset}",
    )
    value = body or f'{{"name": "{name}"}}'.encode()
    return ConsumerRecord(topic, 0, offset, 0, 0, b"k", value, None, 1, len(value), tuple(headers))


def event_id(rec: ConsumerRecord[Any, Any]) -> UUID:
    return decode_event(rec.headers, rec.value).meta.id


async def bump(session: AsyncSession, name: str) -> None:
    await session.execute(
        text(
            "INSERT INTO erased_users (user_id) VALUES (:u) "
            "ON CONFLICT (user_id) DO UPDATE SET times = erased_users.times + 1"
        ),
        {"u": uuid.uuid5(uuid.NAMESPACE_URL, name)},
    )


async def counts(sessionmaker: async_sessionmaker[AsyncSession], *names: str) -> dict[str, int]:
    async with sessionmaker() as s:
        out = {}
        for name in names:
            q = text("SELECT times FROM erased_users WHERE user_id = :u")
            out[name] = (
                await s.execute(q, {"u": uuid.uuid5(uuid.NAMESPACE_URL, name)})
            ).scalar() or 0
        return out


async def inbox_rows(sessionmaker: async_sessionmaker[AsyncSession], consumer: str) -> int:
    async with sessionmaker() as s:
        q = text("SELECT count(*) FROM inbox WHERE consumer = :c")
        return int((await s.execute(q, {"c": consumer})).scalar() or 0)


async def effect(session: AsyncSession, envelope: EventEnvelope) -> None:
    await bump(session, envelope.data["name"])


async def test_a_batch_with_a_duplicate_id_applies_it_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    consumer = f"b-{uuid.uuid4().hex[:6]}"
    topic = "t.batch"
    old = record(topic, 0, "old")
    # Applied before this batch (and before this process: the cache loads it from the inbox).
    assert await process_event(sessionmaker, consumer, decode_event(old.headers, old.value), effect)
    x = record(topic, 1, "x")
    batch = [old, x, record(topic, 2, "x", event_id=event_id(x)), record(topic, 3, "y")]
    processed = ProcessedIds(consumer)

    await handle_batch(sessionmaker, consumer, batch, effect, processed=processed)

    assert await counts(sessionmaker, "old", "x", "y") == {"old": 1, "x": 1, "y": 1}
    assert await inbox_rows(sessionmaker, consumer) == 3
    assert event_id(x) in processed
    # The whole batch again (a redelivery after a lost commit): nothing changes.
    await handle_batch(sessionmaker, consumer, batch, effect, processed=ProcessedIds(consumer))
    assert await counts(sessionmaker, "old", "x", "y") == {"old": 1, "x": 1, "y": 1}


async def test_process_batch_applies_in_order_in_one_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    consumer = f"b-{uuid.uuid4().hex[:6]}"
    seen: list[tuple[str, int]] = []

    async def ordered(session: AsyncSession, envelope: EventEnvelope) -> None:
        txid = (await session.execute(text("SELECT txid_current()"))).scalar_one()
        seen.append((envelope.data["name"], txid))
        await bump(session, envelope.data["name"])

    envelopes = [
        decode_event(r.headers, r.value) for r in (record("t", i, f"e{i}") for i in range(5))
    ]
    assert await process_batch(sessionmaker, consumer, envelopes, ordered) == 5
    assert [name for name, _ in seen] == [f"e{i}" for i in range(5)]
    assert len({txid for _, txid in seen}) == 1  # one transaction for the batch
    assert await process_batch(sessionmaker, consumer, envelopes, ordered) == 0  # inbox


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await p.start()
    yield p
    await p.stop()


async def test_a_poison_event_in_a_batch_goes_to_the_dlq_and_the_rest_are_applied(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    consumer = f"b-{uuid.uuid4().hex[:6]}"
    calls: dict[str, int] = {}

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        name = envelope.data["name"]
        calls[name] = calls.get(name, 0) + 1
        await bump(session, name)  # an effect before the failure: must be rolled back
        if name == "poison":
            raise RuntimeError("cannot digest poison")

    batch = [
        record(unique_topic, 0, "a"),
        record(unique_topic, 1, "poison"),
        record(unique_topic, 2, "", body=b"not json"),
        record(unique_topic, 3, "b"),
        record(unique_topic, 4, "c"),
    ]
    broker = make_broker(settings)
    async with broker:
        await broker.connect()
        dead_letters = DeadLetters(broker, max_attempts=3, backoff_s=0.01)
        await handle_batch(sessionmaker, consumer, batch, handler, dead_letters)
        dlq = await consume_n(kafka_bootstrap, f"{unique_topic}.dlq", 2, timeout=20)

    assert await counts(sessionmaker, "a", "poison", "b", "c") == {
        "a": 1,
        "poison": 0,
        "b": 1,
        "c": 1,
    }
    assert calls["poison"] == 3  # the batch try counts as the first of the bounded attempts
    by_error = {record_headers(r)["error"].split(":")[0]: r for r in dlq}
    assert set(by_error) == {"RuntimeError", "InvalidCloudEvent"}
    assert by_error["RuntimeError"].value == b'{"name": "poison"}'
    assert record_headers(by_error["RuntimeError"])["dlq_attempts"] == "3"
    assert record_headers(by_error["RuntimeError"])["dlq_source"] == f"{unique_topic}/0/1"
    assert await inbox_rows(sessionmaker, consumer) == 3  # a, b, c; the poison left no mark


async def test_a_crash_mid_batch_leaves_nothing_and_the_redelivery_applies_all_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    consumer = f"b-{uuid.uuid4().hex[:6]}"
    batch = [record("t.crash", i, f"crash{i}") for i in range(4)]
    names = [f"crash{i}" for i in range(4)]
    crash = True

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        await bump(session, envelope.data["name"])
        if crash and envelope.data["name"] == "crash2":
            raise ConnectionError("process dies here")  # after two effects of the batch

    processed = ProcessedIds(consumer)
    with pytest.raises(ConnectionError):
        await handle_batch(sessionmaker, consumer, batch, handler, processed=processed)
    assert await counts(sessionmaker, *names) == dict.fromkeys(names, 0)
    assert await inbox_rows(sessionmaker, consumer) == 0
    assert len(processed) == 0

    crash = False  # the restarted consumer gets the uncommitted batch again
    await handle_batch(sessionmaker, consumer, batch, handler, processed=ProcessedIds(consumer))
    assert await counts(sessionmaker, *names) == dict.fromkeys(names, 1)
    assert await inbox_rows(sessionmaker, consumer) == 4


async def test_batch_error_names_the_failing_event(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        if envelope.data["name"] == "bad":
            raise ValueError("bad")

    envelopes = [
        decode_event(r.headers, r.value)
        for r in (record("t", 0, "ok"), record("t", 1, "bad"), record("t", 2, "ok2"))
    ]
    with pytest.raises(BatchError) as err:
        await process_batch(sessionmaker, f"b-{uuid.uuid4().hex[:6]}", envelopes, handler)
    assert err.value.position == 1
    assert isinstance(err.value.cause, ValueError)


async def test_consume_applies_a_burst_once_each_in_order(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
    unique_topic: str,
) -> None:
    """Published before the consumer starts, the burst arrives in large fetches."""
    order: list[int] = []

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        await bump(session, f"burst-{envelope.data['n']}")
        order.append(envelope.data["n"])

    ids = []
    for n in range(60):
        eid = uuid.uuid4()
        ids.append(eid)
        headers = cloudevent_headers(
            event_type=TYPE, source="/test", event_id=eid, time=datetime.now(UTC)
        )
        await producer.send(unique_topic, f'{{"n": {n}}}'.encode(), key=b"k", headers=headers)
        if n % 10 == 9:  # a redelivered event every ten
            await producer.send(unique_topic, f'{{"n": {n}}}'.encode(), key=b"k", headers=headers)
    await producer.flush()

    broker = make_broker(settings)
    consume(
        broker,
        unique_topic,
        settings=settings,
        consumer="burst",
        session_factory=sessionmaker,
        handler=handler,
    )
    names = [f"burst-{n}" for n in range(60)]
    async with broker:
        await broker.start()

        async def all_applied() -> bool:
            return all(v == 1 for v in (await counts(sessionmaker, *names)).values())

        await wait_until(all_applied, timeout=30, message="burst applied")
    assert await counts(sessionmaker, *names) == dict.fromkeys(names, 1)
    # Handlers run once per committed batch; any rerun (after a rollback) keeps the order.
    firsts = list(dict.fromkeys(order))
    assert firsts == list(range(60))


async def test_one_consumer_group_serves_every_consumer_of_a_process(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
    kafka_bootstrap: str,
) -> None:
    """Two topics, and two consumers of one of them, in ONE Kafka group (one subscriber):
    each consumer applies each of its topic's events once, under its own inbox name."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from fitness_platform.events import one_consumer_group

    first, second = f"test.{uuid.uuid4().hex[:10]}", f"test.{uuid.uuid4().hex[:10]}"
    for topic in (first, second):
        for n in range(5):
            headers = cloudevent_headers(
                event_type=TYPE, source="/test", event_id=uuid.uuid4(), time=datetime.now(UTC)
            )
            body = f'{{"name": "{topic}-{n}"}}'.encode()
            await producer.send(topic, body, partition=0, headers=headers)
    await producer.flush()

    def handler(prefix: str) -> Any:
        async def apply(session: AsyncSession, envelope: EventEnvelope) -> None:
            await bump(session, f"{prefix}:{envelope.data['name']}")

        return apply

    broker = make_broker(settings)
    process = f"proc-{uuid.uuid4().hex[:6]}"
    with one_consumer_group(broker, settings, process):
        for consumer, topic in (("a", first), ("b", second), ("c", first)):
            assert (
                consume(
                    broker,
                    topic,
                    settings=settings,
                    consumer=consumer,
                    session_factory=sessionmaker,
                    handler=handler(consumer),
                )
                is None
            )
        # A late consumer that needs the topic's history keeps a group of its own.
        own = consume(
            broker,
            second,
            settings=settings,
            consumer="d",
            session_factory=sessionmaker,
            handler=handler("d"),
            own_group=True,
        )
        assert own is not None
    assert len(broker.subscribers) == 2
    expected = {
        **{f"a:{first}-{n}": 1 for n in range(5)},
        **{f"b:{second}-{n}": 1 for n in range(5)},
        **{f"c:{first}-{n}": 1 for n in range(5)},
        **{f"d:{second}-{n}": 1 for n in range(5)},
    }
    async with broker:
        await broker.start()

        async def all_applied() -> bool:
            return await counts(sessionmaker, *expected) == expected

        await wait_until(all_applied, timeout=30, message="every consumer applied its topic")
        group = f"{settings.service_name}.{process}"
        reader = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group)
        await reader.start()
        try:

            async def committed() -> bool:
                offsets = [await reader.committed(TopicPartition(t, 0)) for t in (first, second)]
                return offsets == [5, 5]

            await wait_until(committed, timeout=30, message="the process group committed both")
        finally:
            await reader.stop()
    assert await counts(sessionmaker, *expected) == expected
    for consumer, n in (("a", 5), ("b", 5), ("c", 5), ("d", 5)):
        assert await inbox_rows(sessionmaker, f"{settings.service_name}.{consumer}") == n
