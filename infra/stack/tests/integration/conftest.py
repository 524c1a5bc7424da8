"""A stack of backing services owned by this test package (not the session's `backing`), so
tests may stop and restart it; Kafka on nanio-backed S3 storage as `make up` runs it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from fitness_stack import Stack, free_port_offset


def make_stack(state_dir: Path, offset: int) -> Stack:
    return Stack(
        state_dir,
        port_offset=offset,
        kafka_storage="s3",
        start_fleet=False,
        durable=False,
        environ={},
    )


@pytest.fixture(scope="package")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Under pytest's mode-700 temp root: as root this also exercises the fallback that puts
    # PostgreSQL's data where `nobody` can reach it.
    return tmp_path_factory.mktemp("stack") / "state"


@pytest.fixture(scope="package")
def own_stack(stack_dir: Path) -> Iterator[Stack]:
    stack = make_stack(stack_dir, free_port_offset(backing_only=True))
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
