"""Each backing service answers like the real thing (clients of the same kind the fleet uses)."""

import smtplib
import socket
import uuid
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import psycopg
import pytest
import redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from psycopg import errors

from fitness_stack import Stack
from fitness_stack.processes import wait_until
from fitness_stack.s3 import client as s3_client

pytestmark = pytest.mark.timeout(120)


def svc_conn(stack: Stack, service: str) -> psycopg.Connection:
    url = stack.endpoints.service_database_urls[service].replace("postgresql+psycopg", "postgresql")
    return psycopg.connect(url, autocommit=True)


def test_service_role_owns_its_schema(own_stack: Stack) -> None:
    table = f"t_{uuid.uuid4().hex[:8]}"
    with svc_conn(own_stack, "nutrition") as conn:
        # Unqualified names land in the role's own schema (search_path set per role).
        conn.execute(f"CREATE TABLE {table} (id int)")
        conn.execute(f"INSERT INTO {table} VALUES (1)")  # noqa: S608 - generated name
        row = conn.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s", (table,)
        ).fetchone()
    assert row == ("nutrition",)


@pytest.mark.parametrize("other_schema", ["identity", "public"])
def test_service_role_is_refused_elsewhere(own_stack: Stack, other_schema: str) -> None:
    with svc_conn(own_stack, "nutrition") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"CREATE TABLE {other_schema}.intruder (id int)")


def test_service_role_cannot_read_another_schema(own_stack: Stack) -> None:
    with svc_conn(own_stack, "identity") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS secrets_of_identity (v text)")
    with svc_conn(own_stack, "goals") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM identity.secrets_of_identity")


def test_service_role_password_is_checked(own_stack: Stack) -> None:
    url = own_stack.endpoints.service_database_urls["media"].replace(
        "postgresql+psycopg", "postgresql"
    )
    bad = url.replace("media_svc:", "media_svc:x", 1)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(bad, connect_timeout=5)


def test_redis_ping_and_set(own_stack: Stack) -> None:
    client = redis.Redis.from_url(own_stack.endpoints.redis_url)
    try:
        assert client.ping() is True
        client.set("stack:test", "v", ex=30)
        assert client.get("stack:test") == b"v"
    finally:
        client.close()


async def produce_one(bootstrap: str) -> str:
    """Create a topic and put one message with a header on it; returns the topic."""
    topic = f"stack-test-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, b'{"x":1}', key=b"user-1", headers=[("ce_type", b"stack.test.v1")]
        )
    finally:
        await producer.stop()
    return topic


async def consume_one(bootstrap: str, topic: str) -> None:
    """A new consumer group reads the message back from the start of the topic."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=15000, max_records=1)
        while not batch:
            batch = await consumer.getmany(timeout_ms=15000, max_records=1)
        (msg,) = next(iter(batch.values()))
    finally:
        await consumer.stop()
    assert msg.value == b'{"x":1}'
    assert msg.key == b"user-1"
    assert ("ce_type", b"stack.test.v1") in list(msg.headers)


async def produce_consume_one(bootstrap: str) -> None:
    await consume_one(bootstrap, await produce_one(bootstrap))


async def test_kafka_produce_and_consume_with_header(own_stack: Stack) -> None:
    await produce_consume_one(own_stack.endpoints.kafka_bootstrap)


def test_s3_put_and_get(own_stack: Stack) -> None:
    ep = own_stack.endpoints
    s3 = s3_client(ep.s3_endpoint, ep.s3_access_key, ep.s3_secret_key)
    bucket = f"b-{uuid.uuid4().hex[:8]}"
    s3.make_bucket(bucket)
    s3.put_object(bucket, "a/b.txt", BytesIO(b"hello"), length=5, content_type="text/plain")
    response = s3.get_object(bucket, "a/b.txt")
    try:
        assert response.read() == b"hello"
    finally:
        response.close()
        response.release_conn()
    # The broker's bucket exists because tansu runs on s3:// storage.
    assert s3.bucket_exists("tansu")


def test_s3_refuses_wrong_secret(own_stack: Stack) -> None:
    ep = own_stack.endpoints
    s3 = s3_client(ep.s3_endpoint, ep.s3_access_key, "not-the-secret")
    with pytest.raises(Exception, match=r"SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId"):
        s3.list_buckets()


def test_smtp_mail_lands_in_maildir(own_stack: Stack) -> None:
    ep = own_stack.endpoints
    assert ep.smtp_maildir is not None
    marker = uuid.uuid4().hex
    msg = EmailMessage()
    msg["From"] = "noreply@fitness.example"
    msg["To"] = "user@example.com"
    msg["Subject"] = f"reset {marker}"
    msg.set_content(f"token {marker}")
    with smtplib.SMTP(ep.smtp_host, ep.smtp_port, timeout=10) as smtp:
        smtp.send_message(msg)
    maildir: Path = ep.smtp_maildir

    def delivered() -> bool:
        return any(marker in p.read_text() for p in maildir.glob("*.eml"))

    assert wait_until(delivered, timeout=10)


def test_second_up_is_a_noop(own_stack: Stack) -> None:
    before = {n: own_stack.procs.record(n) for n in own_stack.procs.names()}
    own_stack.up()
    after = {n: own_stack.procs.record(n) for n in own_stack.procs.names()}
    assert before == after
    assert set(before) == {"postgres", "redis", "s3", "kafka", "smtp"}


async def test_kafka_restart_keeps_port_and_s3_stored_events(own_stack: Stack) -> None:
    port = own_stack.ports.kafka
    bootstrap = own_stack.endpoints.kafka_bootstrap
    before_restart = await produce_one(bootstrap)
    old = own_stack.procs.record("kafka")
    own_stack.stop_kafka()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    own_stack.start_kafka()
    new = own_stack.procs.record("kafka")
    assert old is not None
    assert new is not None
    assert new.pid != old.pid
    # s3:// storage: what was produced before the restart is still there.
    await consume_one(bootstrap, before_restart)
    await produce_consume_one(bootstrap)


async def test_fresh_group_on_s3_storage_reads_everything_while_a_producer_writes(
    own_stack: Stack,
) -> None:
    """Fetches listing the partition while uploads are in flight (nanio names them
    `.tmp.<hex>`; `fitness_stack.nanio_server` hides them from listings, which tansu parses as
    offsets): a fresh reader still gets every record, in order."""
    import asyncio

    from aiokafka import TopicPartition

    bootstrap = own_stack.endpoints.kafka_bootstrap
    topic = await produce_one(bootstrap)  # one partition, one record
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        sends = [
            asyncio.ensure_future(producer.send_and_wait(topic, f"{i}".encode()))
            for i in range(150)
        ]
        offsets: list[int] = []

        async def read_all() -> None:
            while len(offsets) < 151:
                batch = await consumer.getmany(tp, timeout_ms=500)
                offsets.extend(r.offset for r in batch.get(tp, []))

        await asyncio.wait_for(read_all(), 90)
        await asyncio.gather(*sends)
    finally:
        await consumer.stop()
        await producer.stop()
    assert offsets == list(range(151))


async def test_concurrent_producers_on_s3_storage_keep_every_record(own_stack: Stack) -> None:
    """Three producers appending to one partition at once: each record is kept. tansu claims an
    offset by creating its object only if absent (``If-None-Match: *``); plain nanio ignored
    the precondition and concurrent batches overwrote each other (2–4 of 6 kept)."""
    import asyncio

    from fitness_platform.testing import consume_n

    bootstrap = own_stack.endpoints.kafka_bootstrap
    topic = await produce_one(bootstrap)
    producers = [AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0) for _ in range(3)]
    for producer in producers:
        await producer.start()
    try:
        for round_ in range(3):
            await asyncio.gather(
                *(
                    p.send_and_wait(topic, f"{round_}-{i}".encode(), key=b"user-1")
                    for i, p in enumerate(producers)
                )
            )
    finally:
        for producer in producers:
            await producer.stop()
    records = await consume_n(bootstrap, topic, 10, timeout=30)
    values = [r.value for r in records]
    assert sorted(values[1:]) == sorted(f"{r}-{i}".encode() for r in range(3) for i in range(3))
    assert [r.offset for r in records] == list(range(10))
