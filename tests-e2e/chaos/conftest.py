"""Chaos suite fixtures: a fleet of its own, and the faults the tests inject into it.

The faults stop PostgreSQL, Redis and the broker and kill consumers, so the suite never touches
the session's shared backing services or the e2e fleet: `chaos` starts a separate stack (own
state folder under .local, own free port offset) once per package and stops it when the last
chaos test is done, before the e2e fleet starts. Every fault is undone by the fixture's
finalizer as well, so a failing test does not take its neighbours down with it.

`FITNESS_CHAOS_STATE_DIR=<folder>` reuses a stack started there (`python -m fitness_stack
--state-dir <folder> --port-offset N up`) and leaves it running: quick iterations while
writing a test.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import psycopg
import pytest

from e2e.chaos import CHAOS_SERVICES, ChaosFleet, FleetEnv
from fitness_stack.migrations import repo_root
from fitness_stack.ports import free_port_offset
from fitness_stack.pytest_plugin import cleanup
from fitness_stack.stack import KafkaStorage, Stack

# s3 by default: like a real Kafka cluster, the broker keeps its log and the groups' committed
# offsets across the outage. `memory` (the launcher's default for `make up`) also wipes them on
# restart, which the relays answer by replaying their outboxes (FITNESS_CHAOS_KAFKA_STORAGE).
KAFKA_STORAGE: KafkaStorage = (
    "memory" if os.environ.get("FITNESS_CHAOS_KAFKA_STORAGE") == "memory" else "s3"
)


@pytest.fixture(scope="package")
def chaos_fleet(request: pytest.FixtureRequest) -> Iterator[ChaosFleet]:
    reuse = os.environ.get("FITNESS_CHAOS_STATE_DIR")
    if reuse:
        stack = Stack.from_state(reuse, environ={})
        fleet = ChaosFleet(stack)
        fleet.heal()
        yield fleet
        fleet.heal()
        return
    state_dir = repo_root() / ".local" / f"chaos-{os.getpid()}"
    stack = Stack(
        state_dir,
        port_offset=free_port_offset(),
        kafka_storage=KAFKA_STORAGE,
        start_fleet=True,
        durable=False,
        environ={},
        services=CHAOS_SERVICES,
    )
    try:
        with FleetEnv():
            stack.up()
        yield ChaosFleet(stack)
    finally:
        stack.down()
        cleanup(state_dir, keep_logs=request.session.testsfailed > 0)


@pytest.fixture
def chaos(chaos_fleet: ChaosFleet) -> Iterator[ChaosFleet]:
    """The chaos fleet, healthy at the start of the test and healed again after it."""
    chaos_fleet.wait_ready()
    try:
        yield chaos_fleet
    finally:
        chaos_fleet.heal()


@pytest.fixture
async def gw(chaos: ChaosFleet) -> AsyncIterator[httpx.AsyncClient]:
    # A bounded timeout: a request that hangs during a fault is a failure, not a slow test.
    async with httpx.AsyncClient(base_url=chaos.endpoints.gateway_url, timeout=15) as client:
        yield client


@pytest.fixture
async def db(chaos: ChaosFleet) -> AsyncIterator[psycopg.AsyncConnection]:
    """Superuser connection to the chaos fleet's database (every service's schema)."""
    async with await psycopg.AsyncConnection.connect(
        chaos.endpoints.pg_admin_url, autocommit=True
    ) as conn:
        yield conn
