"""pytest plugin: real backing services from ``FITNESS_TEST_*`` env, plus test helpers.

Register once in the root ``conftest.py``: ``pytest_plugins = ["fitness_platform.testing"]``.
The root conftest starts PostgreSQL/Redis/tansu/nanio and exports the env these fixtures read.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import orjson
import psycopg
import pytest
from psycopg import sql

from fitness_platform.db import to_libpq_url, to_sqlalchemy_url

T = TypeVar("T")

# The redis_client fixture owns this database number and flushes it around each test.
REDIS_TEST_DB = 15


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run through `make test` (the root conftest starts the backing "
            "services) or export it yourself",
            pytrace=False,
        )
    return value


# ------------------------------------------------------------------ helpers (no fixtures)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, *, port: int | None = None, timeout: float = 30.0) -> Iterator[str]:
    """Run ``app`` under a real uvicorn in a daemon thread; yields its base URL.

    For tests that need real HTTP (schemathesis, proxies); the server stops on exit.
    """
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:  # poll with a deadline: uvicorn has no start event
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def wait_until(
    predicate: Callable[[], T | Awaitable[T]],
    timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for polling, not a cancel scope
    interval: float = 0.05,
    message: str = "condition",
) -> T:
    """Poll ``predicate`` (sync or async) until it returns a truthy value; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)


async def consume_n(
    bootstrap: str,
    topic: str,
    n: int,
    timeout: float = 20.0,  # noqa: ASYNC109 - a deadline for polling, not a cancel scope
    *,
    key: bytes | None = None,
) -> list[Any]:
    """Read ``n`` records of ``topic`` from the beginning with a plain aiokafka consumer.

    Returns ``aiokafka.ConsumerRecord`` objects (``.headers`` is a list of (str, bytes)).
    With ``key`` only records with that key are counted. Fails if fewer arrive in time.
    """
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=500,  # notice a topic created after we subscribed
    )
    await consumer.start()
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"got {len(out)} of {n} records from {topic} in {timeout}s")
            batch = await consumer.getmany(timeout_ms=int(min(left, 0.5) * 1000))
            for records in batch.values():
                out.extend(r for r in records if key is None or r.key == key)
    finally:
        await consumer.stop()
    return out[:n] if len(out) > n else out


def record_headers(record: Any) -> dict[str, str]:
    """A consumer record's headers as a str → str dict."""
    return {k: v.decode() for k, v in (record.headers or ())}


def record_json(record: Any) -> Any:
    return orjson.loads(record.value)


class TokenFactory:
    """Ed25519 signing key + JWKS for tests: set a service's ``jwks_json`` to ``.jwks_json``."""

    def __init__(
        self, *, issuer: str = "fitness-identity", audience: str = "fitness-api", kid: str = "test"
    ) -> None:
        from joserfc.jwk import OKPKey

        self.issuer = issuer
        self.audience = audience
        self.kid = kid
        self.key = OKPKey.generate_key("Ed25519", parameters={"kid": kid})

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    @property
    def jwks_json(self) -> str:
        return orjson.dumps(self.jwks).decode()

    def issue(
        self,
        sub: uuid.UUID | str | None = None,
        *,
        roles: Sequence[str] = ("user",),
        ttl: int = 900,
        alg: str = "EdDSA",
        **claims: Any,
    ) -> str:
        import warnings

        from joserfc import jwt
        from joserfc.errors import SecurityWarning

        now = int(time.time())
        payload: dict[str, Any] = {
            "sub": str(sub or uuid.uuid4()),
            "roles": list(roles),
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + ttl,
            "iss": self.issuer,
            "aud": self.audience,
        }
        payload.update(claims)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)  # "EdDSA" is identity's alg name
            return jwt.encode({"alg": alg, "kid": self.kid}, payload, self.key, algorithms=[alg])

    def headers(self, sub: uuid.UUID | str | None = None, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issue(sub, **kwargs)}"}


@dataclass(frozen=True, slots=True)
class FreshSchema:
    schema: str
    role: str
    password: str
    url: str  # postgresql+psycopg:// URL logging in as ``role``
    libpq_url: str


def _with_credentials(admin_url: str, user: str, password: str) -> str:
    parts = urlsplit(to_libpq_url(admin_url))
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(user)}:{quote(password)}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def create_schema(
    admin_url: str, prefix: str = "t", script_location: str | None = None
) -> FreshSchema:
    """A new schema owned by a new login role, migrated with ``script_location`` if given."""
    from fitness_platform.migrations import upgrade

    name = f"{prefix}_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    async with await psycopg.AsyncConnection.connect(
        to_libpq_url(admin_url), autocommit=True
    ) as conn:
        await conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)
            )
        )
        db = await (await conn.execute("SELECT current_database()")).fetchone()
        assert db is not None
        # The stack revokes CONNECT from PUBLIC: each service role gets it explicitly.
        await conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(db[0]), sql.Identifier(name)
            )
        )
        await conn.execute(
            sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
                sql.Identifier(name), sql.Identifier(name)
            )
        )
    libpq = _with_credentials(admin_url, name, password)
    fresh = FreshSchema(
        schema=name, role=name, password=password, url=to_sqlalchemy_url(libpq), libpq_url=libpq
    )
    if script_location is not None:
        await asyncio.to_thread(upgrade, fresh.url, name, script_location)
    return fresh


async def drop_schema(admin_url: str, fresh: FreshSchema) -> None:
    async with await psycopg.AsyncConnection.connect(
        to_libpq_url(admin_url), autocommit=True
    ) as conn:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
            (fresh.role,),
        )
        await conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(fresh.schema))
        )
        # DROP OWNED removes the CONNECT grant too, which would otherwise block DROP ROLE.
        await conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(fresh.role)))
        await conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(fresh.role)))


# Tables whose DDL comes from the platform's helpers (create_outbox_objects) or from Alembic,
# not from a service's models: schema_drift() leaves them out by default.
PLATFORM_TABLES = frozenset({"outbox", "inbox", "alembic_version"})


def alembic_run(fresh: FreshSchema, script_location: str, verb: str, revision: str) -> None:
    """``alembic <verb> <revision>`` (``upgrade``, ``downgrade``, ``stamp``) on ``fresh``'s
    schema as its role (blocking: ``asyncio.to_thread`` it from async code)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.cmd_opts = argparse.Namespace(x=[f"schema={fresh.schema}", f"url={fresh.url}"])
    getattr(command, verb)(cfg, revision)


def schema_drift(
    fresh: FreshSchema, metadata: Any, *, skip: Collection[str] = PLATFORM_TABLES
) -> list[Any]:
    """What Alembic's autogenerate would change to make ``fresh``'s migrated schema match
    ``metadata`` (column types compared; tables named in ``skip`` and their indexes left out):
    ``[]`` when the migrations build exactly what the models describe (blocking)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    def include(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return getattr(table, "name", name) not in skip

    engine = create_engine(
        fresh.url,
        poolclass=pool.NullPool,
        connect_args={"options": f"-csearch_path={fresh.schema}"},
    )
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"include_object": include, "compare_type": True}
            )
            return list(compare_metadata(ctx, metadata))
    finally:
        engine.dispose()


async def user_row_counts(
    conn: psycopg.AsyncConnection[Any], user_id: uuid.UUID | str, *, column: str = "user_id"
) -> dict[str, int]:
    """Rows naming ``user_id`` in every base table of the connection's current schema that has
    a ``column`` column: the information_schema sweep GDPR tests assert on (a new table is
    covered without touching the test)."""
    cur = await conn.execute(
        "SELECT c.table_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.table_schema = current_schema() AND c.column_name = %s "
        "AND t.table_type = 'BASE TABLE' ORDER BY 1",
        (column,),
    )
    tables = [row[0] for row in await cur.fetchall()]
    counts: dict[str, int] = {}
    for table in tables:
        query = sql.SQL("SELECT count(*) FROM {} WHERE {}::text = %s").format(
            sql.Identifier(table), sql.Identifier(column)
        )
        row = await (await conn.execute(query, (str(user_id),))).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


@asynccontextmanager
async def running_app(app: Any, base_url: str = "http://service.test") -> AsyncIterator[Any]:
    """``async with running_app(create_app(settings)) as client``: the app's lifespan runs once
    and an ``httpx.AsyncClient`` talks to it over ASGI (no sockets)."""
    import httpx

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


@dataclass(frozen=True)
class ApiUser:
    """A caller of a service: its id and the ``Authorization`` header of a token for it."""

    id: uuid.UUID
    headers: dict[str, str]


def event_envelope(
    event: Any, *, subject: uuid.UUID | str, event_id: uuid.UUID | None = None
) -> Any:
    """``event`` (a ``fitness_contracts`` model) as a consumer decodes it from Kafka, for
    calling a handler directly (no broker)."""
    from fitness_platform.events import cloudevent_headers, decode_event

    headers = cloudevent_headers(
        event_type=event.event_type,
        source="/tests",
        event_id=event_id or uuid.uuid4(),
        time=time_now(),
        subject=str(subject),
    )
    return decode_event(headers, event.model_dump_json(by_alias=True).encode())


def time_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def publish_event(
    producer: Any,
    event: Any,
    *,
    key: uuid.UUID | str,
    event_id: uuid.UUID | None = None,
    source: str = "/tests",
    topic: str | None = None,
) -> uuid.UUID:
    """Publish ``event`` on its topic as the outbox relays do (CloudEvents binary headers,
    keyed by user id) with an ``AIOKafkaProducer``; returns its ``ce_id``."""
    from fitness_platform.events import cloudevent_headers

    eid = event_id or uuid.uuid4()
    headers = cloudevent_headers(
        event_type=event.event_type, source=source, event_id=eid, time=time_now(), subject=str(key)
    )
    body = event.model_dump_json(by_alias=True).encode()
    await producer.send_and_wait(topic or event.topic, body, key=str(key).encode(), headers=headers)
    return eid


@asynccontextmanager
async def running_worker(
    settings: Any,
    build: Callable[[Any], None],
    *,
    name: str = "consumer",
    stop_timeout_s: float = 30.0,
) -> AsyncIterator[None]:
    """A worker/consumer process's subscribers (``build(ctx)``) served in-process until exit."""
    from fitness_platform.worker import serve_worker

    stop = asyncio.Event()
    task = asyncio.create_task(serve_worker(settings, stop, name=name, build=build))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, stop_timeout_s)


@asynccontextmanager
async def schema_connection(fresh: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain autocommit connection into ``fresh``'s schema, for assertions."""
    async with await psycopg.AsyncConnection.connect(
        to_libpq_url(fresh.url), autocommit=True, options=f"-csearch_path={fresh.schema}"
    ) as conn:
        yield conn


async def scalar(conn: psycopg.AsyncConnection[Any], query: str, *args: Any) -> Any:
    """``await scalar(db, "SELECT count(*) FROM t WHERE user_id = %s", uid)``."""
    row = await (await conn.execute(query, args)).fetchone()
    return row[0] if row else None


@contextmanager
def serve_service(
    app_factory: str,
    env: dict[str, str],
    *,
    log_path: Any,
    ready_path: str = "/health/live",
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run ``uvicorn <app_factory> --factory`` in a subprocess with ``env`` added to the
    environment; yields its base URL once ``ready_path`` answers 200 (polled with a deadline).

    For schemathesis: a real HTTP server in its own process (the fuzzer's load stays out of
    the test process's event loop)."""
    import subprocess
    import sys

    import httpx

    port = free_port()
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app_factory, "--factory",
             "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(base + ready_path, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                with open(log_path, encoding="utf-8", errors="replace") as fh:
                    raise AssertionError(f"{app_factory} did not start:\n" + fh.read()[-4000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def run_schemathesis(
    base: str, token: str, *extra: str, config: Any = None, timeout: float = 1200
) -> Any:
    """``schemathesis run <base>/openapi.json`` with a bearer token, seed 1, every check but
    ``positive_data_acceptance`` (services refuse some valid-looking requests by rules OpenAPI
    cannot express, e.g. ``from`` after ``to``). Returns the CompletedProcess; assert on
    ``returncode == 0`` and show ``stdout`` on failure. ``config``: a schemathesis.toml."""
    import subprocess
    import sys
    from pathlib import Path

    binary = Path(sys.executable).with_name("schemathesis")
    # A config file (per-operation check settings) is a global option: before `run`.
    global_options = ["--config-file", str(config)] if config is not None else []
    return subprocess.run(
        [str(binary), *global_options, "run", f"{base}/openapi.json",
         "--header", f"Authorization: Bearer {token}",
         "--exclude-checks", "positive_data_acceptance",
         "--request-timeout", "60", "--seed", "1", *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )  # fmt: skip


def service_env(prefix: str, fresh: FreshSchema, **values: str) -> dict[str, str]:
    """``<PREFIX>_*`` settings of a service process on ``fresh`` (test environment, quiet logs)
    plus ``values`` (keys without the prefix)."""
    env = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": fresh.url,
        "DB_SCHEMA": fresh.schema,
        "LOG_LEVEL": "WARNING",
        **values,
    }
    return {f"{prefix.upper()}_{key}": value for key, value in env.items()}


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """libpq URL of a superuser on the test database (``FITNESS_TEST_PG_ADMIN_URL``)."""
    return _env("FITNESS_TEST_PG_ADMIN_URL")


@pytest.fixture
async def fresh_schema(
    pg_admin_url: str,
) -> AsyncIterator[Callable[..., Awaitable[FreshSchema]]]:
    """Factory: ``await fresh_schema(script_location, prefix="nutrition")`` → FreshSchema.

    Every schema (and its role) made through the factory is dropped at teardown; dispose your
    engines first (open connections of the role are terminated anyway).
    """
    made: list[FreshSchema] = []

    async def make(script_location: str | None = None, prefix: str = "t") -> FreshSchema:
        fresh = await create_schema(pg_admin_url, prefix, script_location)
        made.append(fresh)
        return fresh

    yield make
    for fresh in made:
        await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """``FITNESS_TEST_REDIS_URL`` switched to the database number the plugin owns."""
    parts = urlsplit(_env("FITNESS_TEST_REDIS_URL"))
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_TEST_DB}", parts.query, ""))


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Any]:
    """A client on an otherwise unused Redis database, flushed before and after the test."""
    from fitness_platform.redis import create_redis

    client = create_redis(redis_url)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.flushdb()
        await client.aclose()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return _env("FITNESS_TEST_KAFKA_BOOTSTRAP")


@pytest.fixture(scope="session")
def s3_client() -> Any:
    """A ``minio.Minio`` client on the test S3 endpoint (nanio)."""
    from minio import Minio

    endpoint = _env("FITNESS_TEST_S3_ENDPOINT")
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    return Minio(
        parts.netloc,
        access_key=_env("FITNESS_TEST_S3_ACCESS_KEY"),
        secret_key=_env("FITNESS_TEST_S3_SECRET_KEY"),
        secure=parts.scheme == "https",
    )


@pytest.fixture
def unique_topic() -> str:
    """A topic name no other test uses (tests share one broker)."""
    return f"test.{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def token_factory() -> TokenFactory:
    return TokenFactory()


@pytest.fixture(scope="session")
async def event_producer(kafka_bootstrap: str) -> AsyncIterator[Any]:
    """A session-wide ``AIOKafkaProducer`` on the test broker (use with ``publish_event``)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


@pytest.fixture
def make_user(token_factory: TokenFactory) -> Callable[..., ApiUser]:
    """``make_user()`` / ``make_user("user", "admin")``: a new user id with a signed token."""

    def make(*roles: str) -> ApiUser:
        user_id = uuid.uuid4()
        return ApiUser(user_id, token_factory.headers(user_id, roles=roles or ("user",)))

    return make


@pytest.fixture
def user(make_user: Callable[..., ApiUser]) -> ApiUser:
    return make_user()


@pytest.fixture
def other_user(make_user: Callable[..., ApiUser]) -> ApiUser:
    return make_user()


@pytest.fixture
def admin(make_user: Callable[..., ApiUser]) -> ApiUser:
    return make_user("user", "admin")


# ------------------------------------------------------------------ delta sync (fitness_platform.sync)


async def delta_until_empty(
    client: Any,
    path: str,
    cursor: str,
    *,
    headers: dict[str, str],
    items: set[str],
    deleted: set[str],
    key: str = "id",
    timeout: float = 30.0,  # noqa: ASYNC109 - a deadline for polling, not a cancel scope
) -> None:
    """Follow ``cursor`` until the delta is empty; meanwhile only repeats may come (``items``
    changed, ``deleted`` removed). A change may come once more while another transaction of the
    cluster that started before it is still open (the cursor's floor is the snapshot's xmin:
    fitness_platform.sync); the delta empties once those end."""
    deadline = time.monotonic() + timeout
    while True:
        resp = await client.get(path, params={"updatedSince": cursor}, headers=headers)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        assert {item[key] for item in page["items"]} <= items, page
        assert set(page["deleted"]) <= deleted, page
        if not page["items"] and not page["deleted"]:
            return
        assert time.monotonic() < deadline, f"the delta did not empty: {page}"
        cursor = page["cursor"]
        await asyncio.sleep(0.2)


async def delta_sync_round_trip(
    client: Any,
    path: str,
    *,
    device: dict[str, str],
    other_device: dict[str, str],
    create: Callable[[dict[str, str]], Awaitable[str]],
    change: Callable[[dict[str, str], str], Awaitable[None]],
    remove: Callable[[dict[str, str], str], Awaitable[None]],
    key: str = "id",
) -> dict[str, Any]:
    """The delta-sync check every mirrored list passes: ``device`` creates two items and lists
    (getting a cursor); ``other_device`` (another session of the same user) changes one and
    deletes the other; ``device``'s delta has the change in ``items`` and the deletion in
    ``deleted``; the next cursor gives an empty delta; an expired cursor is a 410 problem and a
    malformed one a 422 problem. Returns the delta's body for service-specific asserts."""
    from fitness_platform.sync import SyncCursor

    kept, gone = await create(device), await create(device)
    listed = await client.get(path, headers=device)
    assert listed.status_code == 200, listed.text
    cursor = listed.json()["cursor"]
    await change(other_device, kept)
    await remove(other_device, gone)

    resp = await client.get(path, params={"updatedSince": cursor}, headers=device)
    assert resp.status_code == 200, resp.text
    delta = resp.json()
    assert [item[key] for item in delta["items"]] == [kept]
    assert delta["deleted"] == [gone]
    assert delta["hasMore"] is False

    await delta_until_empty(
        client, path, delta["cursor"], headers=device, items={kept}, deleted={gone}, key=key
    )

    expired = SyncCursor(SyncCursor.decode(cursor).floor, time.time() - 400 * 86_400).encode()
    old = await client.get(path, params={"updatedSince": expired}, headers=device)
    assert old.status_code == 410, old.text
    assert old.headers["content-type"].startswith("application/problem+json")
    assert old.json()["type"].endswith("/sync-cursor-expired")
    bad = await client.get(path, params={"updatedSince": "not-a-cursor"}, headers=device)
    assert bad.status_code == 422, bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["path"] == "query.updatedSince"
    return dict(delta)
