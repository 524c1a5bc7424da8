"""Kafka plumbing: CloudEvents re-exports, the FastStream broker factory, consumers and DLQ."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from aiokafka import ConsumerRebalanceListener
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from prometheus_client import Counter, Gauge

from fitness_platform.cloudevents import (
    CONTENT_TYPE,
    SPECVERSION,
    CloudEventMeta,
    HeaderInput,
    InvalidCloudEvent,
    cloudevent_headers,
    parse_cloudevent,
)
from fitness_platform.inbox import mark_seen, seen_before
from fitness_platform.logging import correlation_id_var

if TYPE_CHECKING:
    from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
    from faststream.kafka.message import KafkaMessage
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from fitness_contracts.base import IntegrationEvent
    from fitness_platform.settings import ServiceSettings

__all__ = [
    "CONTENT_TYPE",
    "EVENTS_CONSUMED",
    "EVENTS_DEAD_LETTERED",
    "EVENTS_FAILED",
    "KAFKA_CONSUMER_LAG",
    "SPECVERSION",
    "BatchError",
    "CloudEventMeta",
    "ConsumerLagMonitor",
    "DeadLetters",
    "EventEnvelope",
    "EventHandler",
    "HeaderInput",
    "InvalidCloudEvent",
    "ProcessedIds",
    "cloudevent_headers",
    "consume",
    "decode_event",
    "handle_batch",
    "handle_event",
    "make_broker",
    "one_consumer_group",
    "parse_cloudevent",
    "process_batch",
    "process_event",
    "register_user_deletion_handler",
    "subscriber_kwargs",
]

log = logging.getLogger("fitness_platform.events")

# Consumer metrics (names/labels used by infra/prometheus/rules.yml and the Grafana "events"
# dashboard). ``group`` is the consumer group, ``<service>.<consumer>``.
EVENTS_CONSUMED = Counter(
    "events_consumed",
    "Events handled successfully (duplicates skipped by the inbox included)",
    ["topic", "group", "type"],
)
EVENTS_FAILED = Counter(
    "events_failed",
    "Failed handling attempts (handler error or malformed message), retried or dead-lettered",
    ["topic", "group"],
)
EVENTS_DEAD_LETTERED = Counter(
    "events_dead_lettered", "Events moved to <topic>.dlq", ["topic", "group"]
)
KAFKA_CONSUMER_LAG = Gauge(
    "kafka_consumer_lag",
    "Messages between the group's committed offset and the partition's end",
    ["topic", "partition", "group"],
)

# ---------------------------------------------------------------- broker


def make_broker(settings: ServiceSettings, **kwargs: Any) -> KafkaBroker:
    if not settings.kafka_bootstrap_servers:
        raise RuntimeError("kafka_bootstrap_servers is not configured")
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": settings.service_name,
        "acks": "all",
        "enable_idempotence": settings.kafka_enable_idempotence,
        "request_timeout_ms": 10_000,
        "logger": logging.getLogger(f"{settings.service_name}.broker"),
        # FastStream's "Received"/"Processed" lines per message at DEBUG: two JSON log lines
        # per event were a good part of a consumer's CPU (and of a replay's).
        "log_level": logging.DEBUG,
    }
    options.update(kwargs)
    return KafkaBroker(**options)


def subscriber_kwargs(settings: ServiceSettings, group: str | None = None) -> dict[str, Any]:
    """Consumer options for at-least-once delivery.

    FastStream's ``AckPolicy.ACK`` also commits when the handler raised, so a failure would lose
    the message; ``NACK_ON_ERROR`` commits after success and seeks back on an exception, so the
    message is redelivered (bounded by :func:`handle_event`'s DLQ).
    """
    return {
        "group_id": group or settings.service_name,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "session_timeout_ms": settings.kafka_session_timeout_ms,
        "heartbeat_interval_ms": settings.kafka_heartbeat_interval_ms,
        "fetch_max_wait_ms": settings.kafka_fetch_max_wait_ms,
    }


# ---------------------------------------------------------------- consuming


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    meta: CloudEventMeta
    data: dict[str, Any]

    def parse(self) -> IntegrationEvent | None:
        """The payload as its ``fitness_contracts`` class, or None for an unknown type."""
        from fitness_contracts.registry import BY_TYPE

        cls = BY_TYPE.get(self.meta.type)
        return cls.model_validate(self.data) if cls is not None else None


EventHandler = Callable[["AsyncSession", EventEnvelope], Awaitable[None]]


def decode_event(headers: HeaderInput, body: bytes) -> EventEnvelope:
    from fitness_contracts.registry import is_unknown_version

    meta = parse_cloudevent(headers)
    if is_unknown_version(meta.type):
        # Not skippable like a type nobody here reads: the DLQ keeps it for a replay.
        raise InvalidCloudEvent(f"unknown version of a known event: {meta.type}")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidCloudEvent("body is not JSON") from exc
    if not isinstance(data, dict):
        raise InvalidCloudEvent("body is not a JSON object")
    return EventEnvelope(meta=meta, data=data)


class ProcessedIds:
    """What one consumer already committed, remembered in the process (newest ``limit`` ids).

    The inbox stays the truth (a miss goes to the database as before); a hit skips a
    redelivered event without a transaction. Loaded once from the inbox on first use, so a
    replay of the whole log (the local broker after a restart, a group reset) costs a lookup
    per event rather than a database round trip. Ids are added only after their transaction
    committed.
    """

    def __init__(self, consumer: str, *, limit: int = 200_000) -> None:
        self.consumer = consumer
        self.limit = limit
        self._ids: dict[UUID, None] = {}
        self._loaded = False
        self._lock = asyncio.Lock()

    async def ensure_loaded(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        if self._loaded:
            return
        async with self._lock:
            if self._loaded:
                return
            from sqlalchemy import select

            from fitness_platform.outbox.tables import INBOX

            async with session_factory() as session:
                rows = await session.execute(
                    select(INBOX.c.event_id)
                    .where(INBOX.c.consumer == self.consumer)
                    .order_by(INBOX.c.processed_at.desc())
                    .limit(self.limit)
                )
                for event_id in reversed(rows.scalars().all()):
                    self._ids[event_id] = None
            self._loaded = True

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, event_id: UUID) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self.limit:
            del self._ids[next(iter(self._ids))]


@contextlib.contextmanager
def _event_scope(consumer: str, meta: CloudEventMeta) -> Iterator[None]:
    """The producer's correlation id and trace (gateway → service → outbox → this consumer)
    around one event's effect."""
    from opentelemetry import propagate, trace

    parent = propagate.extract({"traceparent": meta.traceparent}) if meta.traceparent else None
    token = correlation_id_var.set(meta.correlation_id)
    try:
        with trace.get_tracer("fitness_platform.events").start_as_current_span(
            f"{consumer} process {meta.type}",
            context=parent,
            kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.message.id": str(meta.id)},
        ):
            yield
    finally:
        correlation_id_var.reset(token)


async def process_event(
    session_factory: async_sessionmaker[AsyncSession],
    consumer: str,
    envelope: EventEnvelope,
    handler: EventHandler,
    processed: ProcessedIds | None = None,
) -> bool:
    """Inbox check + effect in ONE transaction. Returns False for a duplicate. Raises on failure."""
    meta = envelope.meta
    if processed is not None:
        await processed.ensure_loaded(session_factory)
        if meta.id in processed:
            log.debug("duplicate event skipped", extra={"ce_id": str(meta.id)})
            return False
    with _event_scope(consumer, meta):
        async with session_factory() as session, session.begin():
            if await seen_before(session, event_id=meta.id, consumer=consumer):
                log.info("duplicate event skipped", extra={"ce_id": str(meta.id)})
                duplicate = True
            else:
                duplicate = False
                await handler(session, envelope)
    if processed is not None:
        processed.add(meta.id)
    return not duplicate


class BatchError(Exception):
    """A batch was rolled back. ``position``: index (in the envelopes given) of the event whose
    handler raised, None when the failure came before any handler (e.g. the inbox insert)."""

    def __init__(self, position: int | None, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.position = position
        self.cause = cause


async def process_batch(
    session_factory: async_sessionmaker[AsyncSession],
    consumer: str,
    envelopes: Sequence[EventEnvelope],
    handler: EventHandler,
    processed: ProcessedIds | None = None,
) -> int:
    """The new events of a batch in ONE transaction: one inbox insert for all their ids, the
    handler for each new event in order, one commit. Returns how many were applied.

    Duplicates (in ``processed``, in the inbox, or twice in the batch) are skipped. Any failure
    rolls the whole batch back (effects and marks) and raises :class:`BatchError`.
    """
    if processed is not None:
        await processed.ensure_loaded(session_factory)
    todo: list[tuple[int, EventEnvelope]] = []
    ids: set[UUID] = set()
    for position, envelope in enumerate(envelopes):
        event_id = envelope.meta.id
        if event_id in ids or (processed is not None and event_id in processed):
            continue
        ids.add(event_id)
        todo.append((position, envelope))
    if not todo:
        return 0
    current: int | None = None
    try:
        async with session_factory() as session, session.begin():
            new = await mark_seen(
                session, event_ids=[e.meta.id for _, e in todo], consumer=consumer
            )
            for position, envelope in todo:
                if envelope.meta.id in new:
                    current = position
                    with _event_scope(consumer, envelope.meta):
                        await handler(session, envelope)
            current = None  # a failing commit is the batch's, not the last event's
    except Exception as exc:
        raise BatchError(current, exc) from exc
    if processed is not None:
        for event_id in new:
            processed.add(event_id)
    return len(new)


class DeadLetters:
    """Bounded retries, then ``<topic>.dlq`` with an ``error`` header (and ack).

    Attempts are counted in memory per (topic, partition, offset): after a restart a poison
    message gets ``max_attempts`` more tries, which is harmless.
    """

    def __init__(
        self,
        broker: KafkaBroker,
        *,
        max_attempts: int = 5,
        backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
        group: str = "",
    ) -> None:
        self.broker = broker
        self.group = group  # label of events_dead_lettered_total
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._attempts: dict[tuple[str, int, int], int] = {}

    async def send(
        self, message: KafkaMessage | ConsumerRecord[Any, Any], error: str, attempts: int
    ) -> None:
        raw = _record(message)
        headers = {k: v.decode("utf-8", "replace") for k, v in (raw.headers or ())}
        headers["error"] = error[:1000]
        headers["dlq_attempts"] = str(attempts)
        headers["dlq_source"] = f"{raw.topic}/{raw.partition}/{raw.offset}"
        await self.broker.publish(
            raw.value or b"", topic=f"{raw.topic}.dlq", key=raw.key, headers=headers
        )
        EVENTS_DEAD_LETTERED.labels(raw.topic, self.group).inc()
        log.error(
            "message sent to DLQ",
            extra={"topic": raw.topic, "offset": raw.offset, "error": error[:200]},
        )

    async def run(
        self,
        message: KafkaMessage | ConsumerRecord[Any, Any],
        fn: Callable[[], Awaitable[Any]],
        *,
        failed_before: int = 0,
    ) -> None:
        """Call ``fn`` until it succeeds, at most ``max_attempts`` times, then dead-letter.

        Retries happen in place (backoff, same message) rather than by seeking back: on the
        local broker a seek into the middle of a record batch would skip the rest of the batch.
        ``failed_before``: attempts that already failed elsewhere (inside a batch), counted.
        """
        raw = _record(message)
        key = (raw.topic, raw.partition, raw.offset)
        if failed_before:
            attempts = self._attempts.get(key, 0) + failed_before
            if attempts >= self.max_attempts:
                self._attempts.pop(key, None)
                await self.send(message, "failed inside its batch", attempts)
                return
            self._attempts[key] = attempts
            await asyncio.sleep(self._backoff(attempts))
        while True:
            try:
                await fn()
            except InvalidCloudEvent as exc:
                # Retrying cannot fix a malformed message.
                self._attempts.pop(key, None)
                await self.send(message, f"{type(exc).__name__}: {exc}", 1)
                return
            except Exception as exc:
                attempts = self._attempts.get(key, 0) + 1
                if attempts >= self.max_attempts:
                    self._attempts.pop(key, None)
                    await self.send(message, f"{type(exc).__name__}: {exc}", attempts)
                    return
                self._attempts[key] = attempts
                log.warning(
                    "event handler failed; will retry",
                    extra={"topic": raw.topic, "offset": raw.offset, "attempt": attempts},
                )
                await asyncio.sleep(self._backoff(attempts))
                continue
            self._attempts.pop(key, None)
            return

    def _backoff(self, attempts: int) -> float:
        return float(min(self.max_backoff_s, self.backoff_s * 2 ** (attempts - 1)))


def _record(message: KafkaMessage | ConsumerRecord[Any, Any]) -> ConsumerRecord[Any, Any]:
    raw = getattr(message, "raw_message", message)
    assert not isinstance(raw, tuple), "one record, not a batch"
    return raw


async def handle_event(
    session_factory: async_sessionmaker[AsyncSession],
    consumer: str,
    message: KafkaMessage,
    handler: EventHandler,
    dead_letters: DeadLetters | None = None,
    processed: ProcessedIds | None = None,
) -> None:
    """Process one Kafka message: CloudEvents headers → inbox + handler in one transaction.

    With ``dead_letters`` failures are retried and finally dead-lettered; without, they re-raise.
    """

    topic = str(getattr(message.raw_message, "topic", ""))

    async def attempt() -> None:
        try:
            envelope = decode_event(message.headers, message.body)
            await process_event(session_factory, consumer, envelope, handler, processed)
        except Exception:
            EVENTS_FAILED.labels(topic, consumer).inc()
            raise
        EVENTS_CONSUMED.labels(topic, consumer, envelope.meta.type).inc()

    if dead_letters is None:
        await attempt()
    else:
        await dead_letters.run(message, attempt)


async def handle_batch(
    session_factory: async_sessionmaker[AsyncSession],
    consumer: str,
    records: Sequence[ConsumerRecord[Any, Any]],
    handler: EventHandler,
    dead_letters: DeadLetters | None = None,
    processed: ProcessedIds | None = None,
) -> None:
    """Process the records of one fetch: all their new events in ONE transaction.

    Malformed records go to the DLQ at once (with ``dead_letters``). When the batch fails it is
    rolled back (nothing half-applied) and split: the events before the failing one are applied
    again as a batch, the failing one alone with in-place retries (its batch try counted) and
    then the DLQ, the rest as a batch again, so a poison event holds up only itself and the
    order within each partition stays. Without ``dead_letters`` a failure re-raises.
    """
    items: list[tuple[ConsumerRecord[Any, Any], EventEnvelope]] = []
    for record in records:
        try:
            items.append((record, decode_event(record.headers, record.value or b"")))
        except InvalidCloudEvent as exc:
            EVENTS_FAILED.labels(record.topic, consumer).inc()
            if dead_letters is None:
                raise
            await dead_letters.send(record, f"{type(exc).__name__}: {exc}", 1)
    while items:
        try:
            await process_batch(
                session_factory, consumer, [e for _, e in items], handler, processed
            )
        except BatchError as err:
            EVENTS_FAILED.labels(items[0][0].topic, consumer).inc()
            if dead_letters is None:
                raise err.cause from err
            log.warning(
                "event batch failed; splitting it",
                extra={"topic": items[0][0].topic, "events": len(items), "error": str(err)},
            )
            if err.position is None:
                for record, envelope in items:  # not one event's fault: each retried alone
                    await _one_with_retries(
                        session_factory,
                        consumer,
                        record,
                        envelope,
                        handler,
                        dead_letters,
                        processed,
                    )
                return
            before, (record, envelope), items = (
                items[: err.position],
                items[err.position],
                items[err.position + 1 :],
            )
            if before:
                await handle_batch(
                    session_factory,
                    consumer,
                    [r for r, _ in before],
                    handler,
                    dead_letters,
                    processed,
                )
            await _one_with_retries(
                session_factory,
                consumer,
                record,
                envelope,
                handler,
                dead_letters,
                processed,
                failed_before=1,
            )
            continue
        for record, envelope in items:
            EVENTS_CONSUMED.labels(record.topic, consumer, envelope.meta.type).inc()
        return


async def _one_with_retries(
    session_factory: async_sessionmaker[AsyncSession],
    consumer: str,
    record: ConsumerRecord[Any, Any],
    envelope: EventEnvelope,
    handler: EventHandler,
    dead_letters: DeadLetters,
    processed: ProcessedIds | None,
    *,
    failed_before: int = 0,
) -> None:
    async def attempt() -> None:
        try:
            await process_event(session_factory, consumer, envelope, handler, processed)
        except Exception:
            EVENTS_FAILED.labels(record.topic, consumer).inc()
            raise
        EVENTS_CONSUMED.labels(record.topic, consumer, envelope.meta.type).inc()

    await dead_letters.run(record, attempt, failed_before=failed_before)


async def _raw_body(message: Any) -> bytes:
    # FastStream would json-decode before our code runs, so a non-JSON body would fail outside
    # the DLQ logic and be redelivered forever; decode_event does the parsing instead.
    return bytes(message.body)


async def _undecoded(message: Any) -> None:
    # Batch handlers read the raw records (message.raw_message); decode_event parses them.
    return None


# Records per fetch handled as one transaction: large enough that a burst or a replay costs a
# few commits, small enough that one transaction stays short.
BATCH_MAX_RECORDS = 500
# How long one ``getmany`` waits for records (it returns as soon as any arrive): only the idle
# loop's wake-up rate (see ``_fetch_batch``).
BATCH_WAIT_MS = 1000


def _fetch_batch(max_records: int) -> Callable[[AIOKafkaConsumer], Awaitable[tuple[Any, ...]]]:
    """FastStream's batch ``get_msg`` sleeps ``batch_timeout_ms`` after an empty fetch, and a
    record arriving then waits for the sleep; this one loops straight back into ``getmany``,
    which wakes on arrival. So the wait can be long (few idle wake-ups) at no latency."""

    async def get_msg(consumer: AIOKafkaConsumer) -> tuple[Any, ...]:
        batches = await consumer.getmany(timeout_ms=BATCH_WAIT_MS, max_records=max_records)
        return tuple(record for records in batches.values() for record in records)

    return get_msg


@dataclass(frozen=True, slots=True)
class _Route:
    """One ``consume()``: what a topic's records go through, under the consumer's own name.

    ``consumer`` (``<service>.<consumer>``) is the inbox identity and the metrics' ``group``
    label; the Kafka consumer group is the process's when it shares one (``one_consumer_group``).
    """

    topic: str
    consumer: str
    handler: EventHandler
    session_factory: async_sessionmaker[AsyncSession]
    dead_letters: DeadLetters
    processed: ProcessedIds


@dataclass(slots=True)
class _SharedGroup:
    routes: list[_Route]
    batch_max_records: int = BATCH_MAX_RECORDS


# Brokers inside ``one_consumer_group``: their ``consume()`` calls collect routes there.
_SHARED_GROUPS: dict[int, _SharedGroup] = {}


def consume(
    broker: KafkaBroker,
    topic: str,
    *,
    settings: ServiceSettings,
    consumer: str,
    session_factory: async_sessionmaker[AsyncSession],
    handler: EventHandler,
    max_attempts: int | None = None,
    batch_max_records: int = BATCH_MAX_RECORDS,
    own_group: bool = False,
) -> Any:
    """Subscribe ``handler`` to ``topic`` as consumer ``<service>.<consumer>``.

    Each fetch is handled by :func:`handle_batch` (one transaction, one offset commit); the
    handler still sees one event at a time, in order; ``batch_max_records`` caps a batch. The
    consumer name is the inbox identity: each (topic, consumer) pair is deduplicated on its own.
    Alone, the call gets its own Kafka consumer group of that name and returns the subscriber;
    inside :func:`one_consumer_group` (every worker process) it joins the process's one group
    and returns None (the subscriber is made when the block ends). A consumer added later to a
    topic its process's group already reads starts at the group's position there, not at the
    topic's history: ``own_group=True`` keeps it in its own group ``<service>.<consumer>``
    (which starts from the earliest offset) until it has caught up.
    """
    name = f"{settings.service_name}.{consumer}"
    route = _Route(
        topic,
        name,
        handler,
        session_factory,
        DeadLetters(
            broker, max_attempts=max_attempts or settings.consumer_max_attempts, group=name
        ),
        ProcessedIds(name),
    )
    shared = None if own_group else _SHARED_GROUPS.get(id(broker))
    if shared is not None:
        shared.routes.append(route)
        shared.batch_max_records = min(shared.batch_max_records, batch_max_records)
        return None
    return _subscribe(broker, [route], group=name, settings=settings, max_records=batch_max_records)


@contextlib.contextmanager
def one_consumer_group(
    broker: KafkaBroker, settings: ServiceSettings, process: str
) -> Iterator[None]:
    """Every ``consume()`` on ``broker`` inside the block shares ONE Kafka consumer group,
    ``<service>.<process>``: one consumer, one fetch loop, one heartbeat for all the process's
    topics instead of one per topic (issue 8: each idle consumer's long-poll costs the local
    broker and the process CPU, so the cost grew with topics × services). Each topic keeps its
    own consumer name (inbox, metrics) and handler; a fetch's records are handled per topic,
    in partition order. Nested or repeated use on one broker is an error."""
    if id(broker) in _SHARED_GROUPS:
        raise RuntimeError("one_consumer_group is already open for this broker")
    group = f"{settings.service_name}.{process}"
    shared = _SharedGroup([])
    _SHARED_GROUPS[id(broker)] = shared
    try:
        yield
    finally:
        del _SHARED_GROUPS[id(broker)]
    if shared.routes:
        _subscribe(
            broker,
            shared.routes,
            group=group,
            settings=settings,
            max_records=shared.batch_max_records,
        )


def _subscribe(
    broker: KafkaBroker,
    routes: Sequence[_Route],
    *,
    group: str,
    settings: ServiceSettings,
    max_records: int,
) -> Any:
    from faststream import Context

    by_topic: dict[str, list[_Route]] = {}
    for route in routes:
        by_topic.setdefault(route.topic, []).append(route)
    if len({r.consumer for r in routes}) != len(routes):
        raise ValueError(f"group {group}: a consumer name twice ({[r.consumer for r in routes]})")
    topics = list(by_topic)
    lag = ConsumerLagMonitor(
        group, interval_s=settings.consumer_lag_interval_s, rewind=settings.kafka_resume_rewind
    )
    consumers = ", ".join(f"`{r.consumer}` ({r.topic})" for r in routes)
    subscriber = broker.subscriber(
        *topics,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=BATCH_WAIT_MS,
        decoder=_undecoded,
        listener=lag,
        # The AsyncAPI document names each consumer group and what it reads.
        title=group if len(topics) > 1 else f"{group}:{topics[0]}",
        description=(
            f"Consumer group `{group}`; consumers {consumers}: CloudEvents 1.0 (Kafka binary "
            "binding), JSON payloads of fitness_contracts; idempotent (inbox), handled in "
            "batches (one transaction per topic and fetch), dead letters to `<topic>.dlq`."
        ),
        **subscriber_kwargs(settings, group),
    )
    subscriber.get_msg = _fetch_batch(max_records)  # instance attribute: see its docstring
    lag.subscriber = subscriber

    async def on_batch(message: Any = Context("message")) -> None:
        # One fetch's records (each partition's in offset order), per topic; the offsets are
        # committed once, after the whole fetch is applied (AckPolicy.NACK_ON_ERROR).
        records: dict[str, list[ConsumerRecord[Any, Any]]] = {}
        for record in message.raw_message:
            records.setdefault(record.topic, []).append(record)
        for topic, batch in records.items():
            # Several consumers of one topic (nutrition's profiles and user deletion) each
            # apply the whole batch in their own transaction, as separate groups would.
            for route in by_topic[topic]:
                await handle_batch(
                    route.session_factory,
                    route.consumer,
                    batch,
                    route.handler,
                    route.dead_letters,
                    route.processed,
                )

    on_batch.__name__ = (
        "on_"
        + "_".join(
            f"{r.topic.replace('.', '_')}_{r.consumer.split('.', 1)[-1].replace('-', '_')}"
            for r in routes
        )[:200]
    )
    subscriber(on_batch)
    return subscriber


class ConsumerLagMonitor(ConsumerRebalanceListener):
    """Keeps ``kafka_consumer_lag{topic,partition,group}`` up to date for one subscriber.

    FastStream creates the ``AIOKafkaConsumer`` inside ``subscriber.start()`` (exposed as
    ``subscriber.consumer``); as its rebalance listener we learn when partitions are assigned
    and then run a loop as one of the subscriber's tasks (cancelled by ``subscriber.stop()``).
    Lag = partition end (the fetch responses' highwater, else ``end_offsets``) − the group's
    committed offset
    (nothing committed yet: the beginning, as ``auto_offset_reset="earliest"`` starts there).
    """

    def __init__(self, group: str, *, interval_s: float = 15.0, rewind: int = 0) -> None:
        self.group = group
        self.interval_s = interval_s
        self.rewind = rewind
        self.subscriber: Any = None
        self._task_running = False

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        for tp in revoked:
            with contextlib.suppress(KeyError):
                KAFKA_CONSUMER_LAG.remove(tp.topic, str(tp.partition), self.group)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        if self.subscriber is None:
            return
        consumer = self.subscriber.consumer
        if self.rewind and consumer is not None:
            await self.rewind_positions(consumer, assigned)
        if self._task_running:
            return
        self._task_running = True
        self.subscriber.add_task(self._run, restart_on_failure=False)

    async def rewind_positions(
        self, consumer: AIOKafkaConsumer, assigned: set[TopicPartition]
    ) -> None:
        """Start ``rewind`` records before the committed offset (see settings
        ``kafka_resume_rewind``): the batch holding the committed offset is fetched whole."""
        for tp in assigned:
            committed = await consumer.committed(tp)
            if committed:
                consumer.seek(tp, max(0, committed - self.rewind))

    async def _run(self) -> None:
        try:
            while (consumer := self.subscriber.consumer) is not None:
                try:
                    await self.update(consumer)
                except Exception as exc:  # a broker hiccup must not end the loop
                    log.debug("consumer lag update failed", extra={"error": repr(exc)})
                await asyncio.sleep(self.interval_s)
        finally:
            self._task_running = False

    async def update(self, consumer: AIOKafkaConsumer) -> None:
        partitions = sorted(consumer.assignment())
        if not partitions:
            return
        # The partition end comes free with every fetch response (``highwater``). Only where
        # the consumer has not fetched within the interval (just assigned, or a handler stuck
        # on a message with a full buffer, exactly when lag matters) ask the broker: ListOffsets
        # is cheap on Kafka but lists every stored batch on the local tansu-on-S3 broker
        # (~0.3 s of CPU per call on a topic of 3,000 events, measured 2026-11-28).
        now_ms = time.time() * 1000
        ends: dict[TopicPartition, int] = {}
        stale: list[TopicPartition] = []
        for tp in partitions:
            highwater = consumer.highwater(tp)
            polled_ms = consumer.last_poll_timestamp(tp)
            if highwater is not None and polled_ms and now_ms - polled_ms < self.interval_s * 1000:
                ends[tp] = highwater
            else:
                stale.append(tp)
        if stale:
            ends.update(await consumer.end_offsets(stale))
        for tp in partitions:
            end = ends.get(tp)
            if end is None:
                continue
            committed = await consumer.committed(tp)
            if committed is None:
                committed = (await consumer.beginning_offsets([tp]))[tp]
            KAFKA_CONSUMER_LAG.labels(tp.topic, str(tp.partition), self.group).set(
                max(0, end - committed)
            )


def register_user_deletion_handler(
    broker: KafkaBroker,
    *,
    session_factory: async_sessionmaker[AsyncSession],
    erase: Callable[[AsyncSession, UUID], Awaitable[None]],
    service: str | None = None,
    settings: ServiceSettings | None = None,
) -> Any:
    """GDPR: on ``identity.user.deleted.v1`` call ``erase(session, user_id)`` once (inbox).

    Group ``<service>.user-deletion`` on ``identity.user``. Pass ``settings`` (session timeout,
    max attempts) or at least ``service``; ``erase`` runs inside the inbox transaction and must
    be idempotent only in the sense of "deleting nothing is fine".
    """
    from fitness_contracts.identity import UserDeletedV1
    from fitness_contracts.topics import IDENTITY_USER
    from fitness_platform.settings import ServiceSettings

    if settings is None:
        if not service:
            raise ValueError("pass settings or service")
        # Defaults only: no env reading, no production validator (this is not a process config).
        settings = ServiceSettings.model_construct(service_name=service)
    elif service:
        settings = settings.model_copy(update={"service_name": service})

    async def on_user_event(session: AsyncSession, envelope: EventEnvelope) -> None:
        if envelope.meta.type != UserDeletedV1.event_type:
            return
        event = UserDeletedV1.model_validate(envelope.data)
        log.info("erasing user data", extra={"erased_user_id": str(event.user_id)})
        await erase(session, event.user_id)

    return consume(
        broker,
        IDENTITY_USER,
        settings=settings,
        consumer="user-deletion",
        session_factory=session_factory,
        handler=on_user_event,
    )
