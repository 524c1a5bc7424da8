"""Background worker: ``python -m media.worker``.

Consumes ``identity.user`` (GDPR erasure of objects and rows) and runs the cleanup on a timer:
pending assets past their TTL and objects without a row.
"""

from __future__ import annotations

from fitness_platform.sync import prune_tombstones_periodically
from fitness_platform.worker import Build, Job, WorkerContext, run_worker
from media import consumers
from media.assets import jobs
from media.settings import MediaSettings, get_settings
from media.storage.store import ObjectStore


def parts(settings: MediaSettings) -> tuple[Build, list[Job]]:
    store = ObjectStore(settings)

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(
            ctx.broker, settings=settings, session_factory=ctx.sessionmaker, store=store
        )

    async def cleanup(ctx: WorkerContext) -> None:
        await store.ensure_bucket()
        await jobs.run_periodically(ctx.sessionmaker, store, settings, stop=ctx.stop)

    return build, [cleanup, prune_tombstones_periodically]


def main() -> None:
    settings = get_settings()
    build, jobs_ = parts(settings)
    run_worker(settings, name="worker", build=build, jobs=jobs_)


if __name__ == "__main__":
    main()
