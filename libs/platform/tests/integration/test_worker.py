"""``run_worker`` / ``serve_worker``: jobs, shutdown order, SIGTERM → exit 0, failure → exit 1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import FreshSchema, wait_until
from fitness_platform.worker import WorkerContext, WorkerFailedError, serve_worker

# A job that marks its start, waits for the stop, then marks a clean end.
WORKER_MAIN = """
import asyncio, sys
from pathlib import Path
from fitness_platform.settings import ServiceSettings
from fitness_platform.worker import run_worker

marks = Path(sys.argv[1])

async def job(ctx):
    (marks / "started").touch()
    await ctx.stop.wait()
    (marks / "finished").touch()

async def broken(ctx):
    raise RuntimeError("boom")

run_worker(ServiceSettings(), jobs=[broken] if sys.argv[2] == "fail" else [job])
"""


def _settings(schema: FreshSchema) -> ServiceSettings:
    return ServiceSettings(
        service_name="workertest",
        environment="test",
        database_url=schema.url,
        db_schema=schema.schema,
    )


def _env(schema: FreshSchema) -> dict[str, str]:
    return {
        **os.environ,
        "SERVICE_NAME": "workerproc",
        "ENVIRONMENT": "test",
        "DATABASE_URL": schema.url,
        "DB_SCHEMA": schema.schema,
    }


async def test_sigterm_stops_the_jobs_and_exits_0(schema: FreshSchema, tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER_MAIN, str(tmp_path), "ok", env=_env(schema)
    )
    try:
        await wait_until(lambda: (tmp_path / "started").exists(), timeout=30, message="job ran")
        assert not (tmp_path / "finished").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 20)
    assert proc.returncode == 0
    assert (tmp_path / "finished").exists()  # the job saw the stop and ended its round


async def test_failing_job_exits_1(schema: FreshSchema, tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER_MAIN, str(tmp_path), "fail", env=_env(schema)
    )
    await asyncio.wait_for(proc.wait(), 30)
    assert proc.returncode == 1


async def test_a_job_ignoring_the_stop_is_cancelled(schema: FreshSchema) -> None:
    stop = asyncio.Event()
    seen: list[str] = []

    async def polite(ctx: WorkerContext) -> None:
        seen.append("polite started")
        await ctx.stop.wait()
        seen.append("polite done")

    async def stubborn(ctx: WorkerContext) -> None:
        seen.append("stubborn started")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("stubborn cancelled")
            raise

    task = asyncio.create_task(
        serve_worker(_settings(schema), stop, jobs=[polite, stubborn], shutdown_timeout_s=0.2)
    )
    await wait_until(lambda: len(seen) == 2, timeout=10, message="both jobs started")
    stop.set()
    await asyncio.wait_for(task, 10)
    assert sorted(seen[2:]) == ["polite done", "stubborn cancelled"]


async def test_failing_job_stops_the_others_and_raises(schema: FreshSchema) -> None:
    stop = asyncio.Event()

    async def waits(ctx: WorkerContext) -> None:
        await ctx.stop.wait()

    async def broken(ctx: WorkerContext) -> None:
        raise RuntimeError("boom")

    with pytest.raises(WorkerFailedError, match="broken"):
        await asyncio.wait_for(serve_worker(_settings(schema), stop, jobs=[waits, broken]), 10)
    assert stop.is_set()


async def test_build_registers_on_a_started_broker(
    schema: FreshSchema, kafka_bootstrap: str
) -> None:
    settings = _settings(schema).model_copy(update={"kafka_bootstrap_servers": kafka_bootstrap})
    stop = asyncio.Event()
    seen: list[bool] = []

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        seen.append(True)

    async def check(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        seen.append(ctx.broker.running)  # started before the jobs run
        ctx.stop.set()

    await asyncio.wait_for(serve_worker(settings, stop, build=build, jobs=[check]), 30)
    assert seen == [True, True]
