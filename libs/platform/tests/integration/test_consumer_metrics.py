"""Consumer metrics over a real broker: consumed/failed/dead-lettered counters and lag gauge."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_platform.events import EventEnvelope, cloudevent_headers, consume, make_broker
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import FreshSchema, consume_n, wait_until

TYPE = "platformtest.metric.happened.v1"


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await p.start()
    yield p
    await p.stop()


async def publish(producer: AIOKafkaProducer, topic: str, body: bytes) -> None:
    headers = cloudevent_headers(
        event_type=TYPE, source="/test", event_id=uuid.uuid4(), time=datetime.now(UTC)
    )
    await producer.send_and_wait(topic, body, key=b"k", headers=headers)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_counters_move(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    done: list[str] = []

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        if envelope.data["name"] == "poison":
            raise RuntimeError("poison")
        done.append(envelope.data["name"])

    group = f"{settings.service_name}.metrics"
    topic = {"topic": unique_topic, "group": group}
    broker = make_broker(settings)
    consume(
        broker,
        unique_topic,
        settings=settings,
        consumer="metrics",
        session_factory=sessionmaker,
        handler=handler,
        max_attempts=2,
    )
    async with broker:
        await broker.start()
        await publish(producer, unique_topic, b'{"name": "a"}')
        await publish(producer, unique_topic, b'{"name": "poison"}')
        await publish(producer, unique_topic, b"not json")
        await publish(producer, unique_topic, b'{"name": "b"}')
        # Same key, one partition: once "b" is done, everything before it was handled. A
        # handler may run again after its batch was rolled back: first runs give the order.
        await wait_until(
            lambda: list(dict.fromkeys(done)) == ["a", "b"], timeout=30, message="handled"
        )
        await consume_n(kafka_bootstrap, f"{unique_topic}.dlq", 2, timeout=20)

    assert sample("events_consumed_total", **topic, type=TYPE) == 2
    # poison: 2 attempts; malformed: 1 (dead-lettered at once)
    assert sample("events_failed_total", **topic) == 3
    assert sample("events_dead_lettered_total", **topic) == 2


def _lag_consumer(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    topic: str,
    handler: Callable[[AsyncSession, EventEnvelope], Awaitable[None]],
    *,
    interval_s: float,
) -> tuple[KafkaBroker, Callable[[], float | None]]:
    """A broker consuming ``topic`` with ``handler``, and a reader of its lag gauge."""
    tuned = settings.model_copy(update={"consumer_lag_interval_s": interval_s})
    group = f"{settings.service_name}.lag"
    broker = make_broker(tuned)
    consume(
        broker, topic, settings=tuned, consumer="lag", session_factory=sessionmaker, handler=handler
    )

    def lag() -> float | None:
        return REGISTRY.get_sample_value(
            "kafka_consumer_lag", {"topic": topic, "partition": "0", "group": group}
        )

    return broker, lag


async def test_lag_gauge_follows_the_backlog(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
    unique_topic: str,
) -> None:
    release = asyncio.Event()
    handled: list[str] = []

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        await release.wait()  # the consumer is stuck: the backlog grows
        handled.append(envelope.data["name"])

    broker, lag = _lag_consumer(settings, sessionmaker, unique_topic, handler, interval_s=0.1)
    async with broker:
        await broker.start()
        for i in range(5):
            await publish(producer, unique_topic, f'{{"name": "{i}"}}'.encode())
        # Nothing committed yet: all five are behind.
        await wait_until(lambda: lag() == 5, timeout=30, message="lag 5")
        # Still stuck: new messages must still show up in the lag.
        for i in range(5, 8):
            await publish(producer, unique_topic, f'{{"name": "{i}"}}'.encode())
        await wait_until(lambda: lag() == 8, timeout=30, message="lag 8")
        release.set()
        await wait_until(lambda: len(handled) == 8, timeout=30, message="handled")
        await wait_until(lambda: lag() == 0, timeout=30, message="lag back to 0")


async def test_lag_of_a_fetching_consumer_needs_no_list_offsets_request(
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
    unique_topic: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A spy on the real method (the broker still answers): how often the monitor asks for ends.
    asked: list[object] = []
    real_end_offsets = AIOKafkaConsumer.end_offsets

    async def counting_end_offsets(self: AIOKafkaConsumer, partitions: Any) -> Any:
        asked.append(partitions)
        return await real_end_offsets(self, partitions)

    monkeypatch.setattr(AIOKafkaConsumer, "end_offsets", counting_end_offsets)
    release = asyncio.Event()

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        await release.wait()

    # Fetches come every <= 0.5 s (fetch_max_wait), well inside the interval: highwater is fresh.
    broker, lag = _lag_consumer(settings, sessionmaker, unique_topic, handler, interval_s=3.0)
    async with broker:
        await broker.start()
        await wait_until(lambda: lag() is not None, timeout=30, message="first lag update")
        before = len(asked)  # the first update may ask: nothing fetched yet right after assignment
        for i in range(3):
            await publish(producer, unique_topic, f'{{"name": "{i}"}}'.encode())
        await wait_until(lambda: lag() == 3, timeout=30, message="lag 3")
        assert len(asked) == before, "the lag came from the fetch responses' highwater"
        release.set()
        await wait_until(lambda: lag() == 0, timeout=30, message="lag back to 0")


WORKER_MAIN = """
import sys
from fitness_platform.events import consume
from fitness_platform.settings import ServiceSettings
from fitness_platform.worker import run_worker

async def handler(session, envelope):
    pass

def build(ctx):
    consume(ctx.broker, sys.argv[1], settings=ctx.settings, consumer="w",
            session_factory=ctx.sessionmaker, handler=handler)

run_worker(ServiceSettings(), build=build)
"""


async def test_worker_process_serves_consumer_metrics(
    schema: FreshSchema,
    producer: AIOKafkaProducer,
    kafka_bootstrap: str,
    unique_topic: str,
) -> None:
    """A worker as the services run one (``run_worker`` + ``consume``): metrics scraped."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {
        **os.environ,
        "SERVICE_NAME": "workerproc",
        "ENVIRONMENT": "test",
        "DATABASE_URL": schema.url,
        "DB_SCHEMA": schema.schema,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "WORKER_METRICS_PORT": str(port),
        "CONSUMER_LAG_INTERVAL_S": "0.2",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER_MAIN, unique_topic, env=env
    )

    def scrape() -> str:
        try:
            url = f"http://127.0.0.1:{port}/metrics"
            with urllib.request.urlopen(url, timeout=1) as resp:
                return str(resp.read().decode())
        except OSError:
            return ""

    labels = f'group="workerproc.w",topic="{unique_topic}"'
    try:
        for _ in range(2):
            await publish(producer, unique_topic, b'{"name": "x"}')
        text = await wait_until(
            lambda: (t := scrape()) and f'{labels},type="{TYPE}"}} 2.0' in t and t,
            timeout=30,
            message="events_consumed_total scraped",
        )
        assert "# TYPE kafka_consumer_lag gauge" in text
        # Lag is the Kafka group's: the worker process's one group, `<service>.<process>`;
        # the events counters keep the consumer's own name.
        await wait_until(
            lambda: (
                'kafka_consumer_lag{group="workerproc.worker",partition="0",'
                f'topic="{unique_topic}"}} 0.0' in scrape()
            ),
            timeout=30,
            message="lag scraped",
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 15)
    assert proc.returncode == 0
