"""Outbox relay: publishes committed outbox rows to Kafka in order (DESIGN §5).

One transaction per batch: ``pg_try_advisory_xact_lock`` (one active relay per schema, so
order holds even when two replicas run), ``FOR UPDATE SKIP LOCKED``, hand every due row of the
batch to the producer (``send()``: aiokafka packs them into one record batch per partition, one
produce request), then await all the acknowledgements; the rows up to the first failure are
marked published, the failed row gets capped exponential backoff and the rows behind it wait
(they are sent again with it, in order: at-least-once, the consumers' inbox drops copies).
Woken by ``LISTEN <schema>_outbox``, with polling as a fallback when the listening connection
is down or a notification is missed (an idle relay sleeps: no query, no broker request).

``replay_on_broker_reset`` (the local memory-backed broker, whose durable log is the outbox):
the relay keeps a marker topic ``_outbox.<schema>`` on the broker; when it is missing (a fresh
broker) every published row still kept (``retention``) is marked unpublished again and goes out
once more, in the original order, before any newer row. An idle relay learns of a restarted
broker from an idle TCP connection to it (closed by the broker's exit, answered again once it is
back), so the marker check need not be polled; ``broker_check_every_s`` is only the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
import psycopg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from prometheus_client import Counter, Gauge
from psycopg import sql
from sqlalchemy import delete, func, select, update

from fitness_platform.cloudevents import cloudevent_headers
from fitness_platform.db import check_schema_name, create_engine, to_libpq_url
from fitness_platform.logging import configure_logging
from fitness_platform.observability import start_metrics_server
from fitness_platform.outbox.tables import OUTBOX
from fitness_platform.process import lower_priority_from_env

if TYPE_CHECKING:
    from sqlalchemy.engine import Row
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from fitness_platform.settings import ServiceSettings

log = logging.getLogger("fitness_platform.outbox")

OUTBOX_BACKLOG = Gauge("outbox_backlog", "Unpublished outbox rows", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
OUTBOX_PUBLISHED = Counter("outbox_published", "Outbox rows published to Kafka", ["service"])
OUTBOX_ERRORS = Counter("outbox_publish_errors", "Failed outbox publish attempts", ["service"])


@dataclass(frozen=True, slots=True)
class ProducerSettings:
    bootstrap_servers: str
    service: str
    enable_idempotence: bool = False
    request_timeout_ms: int = 5000
    batch_size: int = 100
    poll_interval_s: float = 1.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    # Published rows are kept this long (debugging, replay by hand), then deleted by the relay.
    retention: timedelta = timedelta(hours=72)
    cleanup_every_s: float = 600.0
    # Batching: a short linger lets every send() of a batch join one record batch per
    # partition; a record batch may hold the whole outbox batch.
    linger_ms: int = 5
    max_batch_bytes: int = 1_048_576
    # Local memory-backed broker: re-publish the kept rows when the broker lost its log.
    replay_on_broker_reset: bool = False
    # Fallback only: the broker watch (an idle TCP connection) wakes the relay on a restart.
    broker_check_every_s: float = 60.0

    @property
    def source(self) -> str:
        return f"/{self.service}"

    @classmethod
    def from_settings(cls, settings: ServiceSettings, **overrides: Any) -> ProducerSettings:
        if not settings.kafka_bootstrap_servers:
            raise RuntimeError("kafka_bootstrap_servers is not configured")
        values: dict[str, Any] = {
            "bootstrap_servers": settings.kafka_bootstrap_servers,
            "service": settings.service_name,
            "enable_idempotence": settings.kafka_enable_idempotence,
            "batch_size": settings.outbox_batch_size,
            "poll_interval_s": settings.outbox_poll_interval_s,
            "retention": timedelta(hours=settings.outbox_retention_hours),
            "replay_on_broker_reset": settings.outbox_replay_on_broker_reset,
        }
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class BatchResult:
    published: int
    failed: bool
    full: bool
    retry_at: datetime | None = None


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        schema: str,
        producer: ProducerSettings,
        *,
        listen_url: str | None = None,
    ) -> None:
        self.engine = engine
        self.schema = check_schema_name(schema)
        self.cfg = producer
        self.channel = f"{schema}_outbox"
        self.listen_url = listen_url or to_libpq_url(
            engine.url.render_as_string(hide_password=False)
        )
        self._lock_key = zlib.crc32(self.channel.encode())
        self.marker_topic = f"_outbox.{self.schema}"
        self._next_broker_check = 0.0  # loop time of the next idle marker check
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self.listening = asyncio.Event()  # set while LISTEN is active (tests wait on it)
        self.idle = asyncio.Event()  # set while waiting for a NOTIFY or the poll timeout
        self.watching = asyncio.Event()  # set while the broker watch holds its connection

    # ---------------------------------------------------------------- producer

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.cfg.bootstrap_servers,
                client_id=f"{self.cfg.service}-outbox-relay",
                acks="all",
                enable_idempotence=self.cfg.enable_idempotence,
                request_timeout_ms=self.cfg.request_timeout_ms,
                linger_ms=self.cfg.linger_ms,
                max_batch_size=self.cfg.max_batch_bytes,
                max_request_size=self.cfg.max_batch_bytes + 65_536,
            )
            try:
                await asyncio.wait_for(producer.start(), self.cfg.request_timeout_ms / 1000 + 1)
            except BaseException:
                await self._stop_producer(producer)
                raise
            self._producer = producer
        return self._producer

    @staticmethod
    async def _stop_producer(producer: AIOKafkaProducer) -> None:
        try:
            await asyncio.wait_for(producer.stop(), 5)
        except Exception as exc:  # a dead broker can make stop() fail too
            log.debug("producer stop failed", extra={"error": repr(exc)})
            # An abandoned stop() leaves aiokafka's sender running: it would deliver the
            # batches it still holds later, behind our back (after a replay had begun).
            sender = getattr(producer, "_sender", None)
            with contextlib.suppress(Exception):
                if sender is not None:
                    await asyncio.wait_for(sender.close(), 5)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.client.close(), 5)

    async def _reset_producer(self) -> None:
        # A fresh producer after any failure: aiokafka may keep stale metadata/connections
        # across a broker restart.
        producer, self._producer = self._producer, None
        if producer is not None:
            await self._stop_producer(producer)

    async def _enqueue(self, producer: AIOKafkaProducer, row: Row[Any]) -> asyncio.Future[Any]:
        """Hand one row to the producer; the returned future resolves when the broker acked."""
        hdrs = row.headers or {}
        headers = cloudevent_headers(
            event_type=row.event_type,
            source=self.cfg.source,
            event_id=row.event_id,
            time=row.created_at,
            subject=row.subject,
            correlation_id=hdrs.get("correlation_id"),
            traceparent=hdrs.get("traceparent"),
        )
        return await asyncio.wait_for(
            producer.send(
                row.topic,
                value=orjson.dumps(row.payload),
                key=row.key.encode() if row.key is not None else None,
                headers=headers,
            ),
            self.cfg.request_timeout_ms / 1000 * 2,
        )

    async def _send_all(self, rows: list[Row[Any]]) -> tuple[int, BaseException | None]:
        """Send ``rows`` as one batch; returns how many leading rows the broker acked and the
        first error (None when all were acked)."""
        futures: list[asyncio.Future[Any]] = []
        error: BaseException | None = None
        try:
            producer = await self._get_producer()
            for row in rows:
                futures.append(await self._enqueue(producer, row))
        except Exception as exc:  # the row at len(futures) could not even be queued
            error = exc
        if futures:
            _done, pending = await asyncio.wait(
                futures, timeout=self.cfg.request_timeout_ms / 1000 * 2
            )
            for future in pending:
                future.cancel()
        # Every outcome is read (an unread failure would be logged as never retrieved); the
        # acked prefix counts up to the first failure.
        outcomes: list[BaseException | None] = [
            TimeoutError("no acknowledgement from the broker in time")
            if future.cancelled()
            else future.exception()
            for future in futures
        ]
        acked = 0
        for failure in outcomes:
            if failure is not None:
                return acked, failure
            acked += 1
        return acked, error

    # ---------------------------------------------------------------- batches

    def _backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.cfg.backoff_max_s, self.cfg.backoff_base_s * 2**attempts))

    async def publish_batch(self) -> BatchResult:
        published: list[int] = []
        failed = False
        rows: list[Row[Any]] = []
        replayed = -1  # >= 0: the broker lost its log and this many rows were queued again
        retry_at: datetime | None = None
        async with self.engine.begin() as conn:
            if not await conn.scalar(select(func.pg_try_advisory_xact_lock(self._lock_key))):
                return BatchResult(0, failed=False, full=False)  # another relay is publishing
            now: datetime = (await conn.execute(select(func.clock_timestamp()))).scalar_one()
            rows = list(
                (
                    await conn.execute(
                        select(OUTBOX)
                        .where(OUTBOX.c.published_at.is_(None))
                        .order_by(OUTBOX.c.id)
                        .limit(self.cfg.batch_size)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
            )
            due: list[Row[Any]] = []
            for row in rows:
                if row.next_attempt_at > now:
                    retry_at = row.next_attempt_at  # head is backing off: keep order, wait
                    break
                due.append(row)
            acked = 0
            error: BaseException | None = None
            check_due = asyncio.get_running_loop().time() >= self._next_broker_check
            if self.cfg.replay_on_broker_reset and (due or check_due):
                # Idle too (every broker_check_every_s): a restarted broker must get the
                # replay even when nothing new is waiting.
                self._next_broker_check = (
                    asyncio.get_running_loop().time() + self.cfg.broker_check_every_s
                )
                # Before every batch (one metadata request): a row published to a fresh broker
                # ahead of the replay would reach the consumers before its older events.
                try:
                    if not await self._marker_exists({row.topic for row in due}):
                        replayed = await self._requeue_published(conn)
                        due = []
                except Exception as exc:
                    error = exc
            if due and error is None:
                acked, error = await self._send_all(due)
            published = [row.id for row in due[:acked]]
            if error is not None and not due:  # an idle broker check failed: retry soon
                log.debug("broker check failed", extra={"error": repr(error)})
                self._next_broker_check = asyncio.get_running_loop().time() + min(
                    self.cfg.broker_check_every_s, 2.0
                )
                await self._reset_producer()
                error = None
                failed = True
            if error is not None:
                row = due[acked]
                failed = True
                OUTBOX_ERRORS.labels(self.cfg.service).inc()
                log.warning(
                    "outbox publish failed",
                    extra={
                        "event_id": str(row.event_id),
                        "attempts": row.attempts + 1,
                        "published_before": acked,
                        "error": repr(error),
                    },
                )
                retry_at = now + self._backoff(row.attempts)
                await conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == row.id)
                    .values(
                        attempts=OUTBOX.c.attempts + 1,
                        last_error=repr(error)[:2000],
                        next_attempt_at=retry_at,
                    )
                )
                await self._reset_producer()
            if published:
                await conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id.in_(published))
                    .values(published_at=func.clock_timestamp(), last_error=None)
                )
        if replayed >= 0:
            # Committed above; the marker goes last: a crash before it only means one more
            # replay (copies are dropped by the consumers' inbox), never a lost event.
            await self._create_marker()
            log.warning(
                "broker lost its log: kept outbox rows queued again", extra={"rows": replayed}
            )
            return BatchResult(0, failed=False, full=True)  # go on with the oldest row
        if published:
            OUTBOX_PUBLISHED.labels(self.cfg.service).inc(len(published))
        full = len(rows) == self.cfg.batch_size and len(published) == len(rows)
        return BatchResult(len(published), failed=failed, full=full, retry_at=retry_at)

    async def _admin(self) -> AIOKafkaAdminClient:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.cfg.bootstrap_servers,
            client_id=f"{self.cfg.service}-outbox-relay",
            request_timeout_ms=self.cfg.request_timeout_ms,
        )
        await asyncio.wait_for(admin.start(), self.cfg.request_timeout_ms / 1000 * 2)
        return admin

    async def _marker_exists(self, topics: set[str]) -> bool:
        """Whether the broker still has our marker topic; also creates missing ``topics`` with
        one partition (tansu auto-creates four, and a fetch over several partitions answers
        a new record only after the whole wait)."""
        producer = await self._get_producer()
        timeout = self.cfg.request_timeout_ms / 1000 * 2
        metadata = await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout)
        known = metadata.topics()
        if self.marker_topic not in known:
            return False
        if missing := sorted(topics - known):
            admin = await self._admin()
            try:
                await asyncio.wait_for(
                    admin.create_topics(
                        [NewTopic(t, num_partitions=1, replication_factor=1) for t in missing]
                    ),
                    timeout,
                )
            except TopicAlreadyExistsError:
                pass  # a consumer created it meanwhile
            finally:
                await admin.close()
        return True

    async def _requeue_published(self, conn: AsyncConnection) -> int:
        result = await conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.published_at.is_not(None))
            .values(published_at=None, attempts=0, next_attempt_at=func.clock_timestamp())
        )
        return int(result.rowcount or 0)

    async def _create_marker(self) -> None:
        admin = await self._admin()
        try:
            await asyncio.wait_for(
                admin.create_topics(
                    [NewTopic(self.marker_topic, num_partitions=1, replication_factor=1)]
                ),
                self.cfg.request_timeout_ms / 1000 * 2,
            )
        except TopicAlreadyExistsError:
            pass
        finally:
            await admin.close()
        # tansu lists a topic in the all-topics metadata only once it holds a record.
        producer = await self._get_producer()
        await asyncio.wait_for(
            producer.send_and_wait(self.marker_topic, b"replayed", key=b"marker"),
            self.cfg.request_timeout_ms / 1000 * 2,
        )

    async def drain(self) -> int:
        """Publish until nothing is due; returns how many rows went out."""
        total = 0
        while True:
            result = await self.publish_batch()
            total += result.published
            if not result.full:
                return total

    async def delete_published(self, limit: int = 10_000) -> int:
        """Delete published rows older than the retention; bounded so one run stays short."""
        cutoff = func.clock_timestamp() - self.cfg.retention
        old = (
            select(OUTBOX.c.id)
            .where(OUTBOX.c.published_at.is_not(None), OUTBOX.c.published_at < cutoff)
            .limit(limit)
            .scalar_subquery()
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(old)))
        return int(result.rowcount or 0)

    async def update_gauges(self) -> None:
        async with self.engine.connect() as conn:
            count, oldest = (
                await conn.execute(
                    select(
                        func.count(),
                        func.extract(
                            "epoch", func.clock_timestamp() - func.min(OUTBOX.c.created_at)
                        ),
                    ).where(OUTBOX.c.published_at.is_(None))
                )
            ).one()
        OUTBOX_BACKLOG.labels(self.cfg.service).set(count)
        OUTBOX_OLDEST_AGE.labels(self.cfg.service).set(float(oldest or 0))

    # ---------------------------------------------------------------- loop

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.listen_url, autocommit=True
                ) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.listening.set()
                    self._wake.set()  # rows inserted before LISTEN started
                    delay = 0.5
                    while True:
                        await _notified(conn)
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox LISTEN connection lost", extra={"error": repr(exc)})
            finally:
                self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _watch_broker(self) -> None:
        """Hold an idle TCP connection to the broker; when it closes (the broker exited) and when
        a new one is accepted (the broker is back, maybe with an empty log), wake the relay for
        a marker check. A Kafka broker never writes unasked, so an open connection costs nothing."""
        host, _, port = self.cfg.bootstrap_servers.split(",")[0].strip().rpartition(":")
        delay = 0.2
        while True:
            try:
                reader, writer = await asyncio.open_connection(host or "127.0.0.1", int(port))
            except OSError:
                await asyncio.sleep(delay)  # the broker is down: try again, slowly
                delay = min(delay * 2, 2.0)
                continue
            delay = 0.2
            self._check_broker_now()  # (re)connected: this broker may be a fresh one
            self.watching.set()
            try:
                await reader.read()  # returns at EOF (broker gone or it closed an idle socket)
            except OSError:
                pass
            finally:
                self.watching.clear()
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            self._check_broker_now()
            await asyncio.sleep(delay)  # a broker that closes idle sockets: no busy loop

    def _check_broker_now(self) -> None:
        self._next_broker_check = 0.0
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox relay started", extra={"schema": self.schema})
        listener = asyncio.create_task(self._listen(), name="outbox-listen")
        watcher: asyncio.Task[None] | None = None
        if self.cfg.replay_on_broker_reset:
            watcher = asyncio.create_task(self._watch_broker(), name="outbox-broker-watch")
        next_cleanup = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                self._wake.clear()
                timeout = self.cfg.poll_interval_s
                try:
                    result = await self.publish_batch()
                    while result.full and not stop.is_set():
                        result = await self.publish_batch()
                    if result.retry_at is not None:
                        until = (result.retry_at - datetime.now(UTC)).total_seconds()
                        timeout = max(0.05, min(timeout, until))
                    if self.cfg.replay_on_broker_reset:
                        # Wake for the fallback marker check too (a failed one is retried then).
                        until_check = self._next_broker_check - loop.time()
                        timeout = max(0.05, min(timeout, until_check))
                    await self.update_gauges()
                    if loop.time() >= next_cleanup:
                        next_cleanup = loop.time() + self.cfg.cleanup_every_s
                        if deleted := await self.delete_published():
                            log.info("old outbox rows deleted", extra={"deleted": deleted})
                except Exception as exc:  # DB hiccup: log, wait, try again
                    log.exception("outbox relay iteration failed", extra={"error": repr(exc)})
                wake = asyncio.create_task(self._wake.wait())
                halt = asyncio.create_task(stop.wait())
                self.idle.set()
                await asyncio.wait({wake, halt}, timeout=timeout, return_when="FIRST_COMPLETED")
                self.idle.clear()
                wake.cancel()
                halt.cancel()
        finally:
            tasks = [listener] if watcher is None else [listener, watcher]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._reset_producer()
            log.info("outbox relay stopped", extra={"schema": self.schema})


async def _notified(conn: psycopg.AsyncConnection[Any]) -> None:
    """Return once the LISTEN connection received a notification (raise if it is lost).

    Not ``conn.notifies()``: psycopg wakes every 0.1 s while it waits (its interrupt-check
    interval), ten wake-ups a second per relay on an idle fleet (issue 8). Here the event loop
    watches the socket and nothing runs until the server sends something.
    """
    loop = asyncio.get_running_loop()
    pgconn = conn.pgconn
    while True:
        readable = loop.create_future()

        def ready(fut: asyncio.Future[None] = readable) -> None:
            if not fut.done():
                fut.set_result(None)

        loop.add_reader(pgconn.socket, ready)
        try:
            await readable
        finally:
            loop.remove_reader(pgconn.socket)
        pgconn.consume_input()  # raises OperationalError when the connection is gone
        received = False
        while pgconn.notifies() is not None:
            received = True
        if received:
            return


def run_relay(settings: ServiceSettings, *, metrics_port: int | None = None) -> None:
    """Process entry (``python -m <service>.relay``): runs until SIGTERM/SIGINT."""
    configure_logging(settings.service_name, settings.log_level)
    lower_priority_from_env()
    port = metrics_port if metrics_port is not None else settings.relay_metrics_port

    async def main() -> None:
        if port:
            # Bound to settings.metrics_host (0.0.0.0 outside dev/test, or when set).
            start_metrics_server(settings, port=port)
        engine = create_engine(settings)
        relay = OutboxRelay(engine, settings.db_schema, ProducerSettings.from_settings(settings))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await relay.run(stop)
        finally:
            await engine.dispose()

    asyncio.run(main())
