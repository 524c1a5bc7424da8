"""Consumer process: ``python -m training.consumer`` (identity.user and progress.weight)."""

from __future__ import annotations

from fitness_platform.sync import prune_tombstones_periodically
from fitness_platform.worker import WorkerContext, run_worker
from training import consumers
from training.settings import get_settings


def main() -> None:
    settings = get_settings()

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(ctx.broker, settings=settings, session_factory=ctx.sessionmaker)

    # Also prunes delta sync's old tombstones (training has no other worker process).
    run_worker(settings, name="consumer", build=build, jobs=[prune_tombstones_periodically])


if __name__ == "__main__":
    main()
