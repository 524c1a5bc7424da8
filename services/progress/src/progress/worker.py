"""Background worker: ``python -m progress.worker``.

Consumes identity.user (profiles, GDPR erasure), training.workout, nutrition.intake and
nutrition.targets (read models).
"""

from __future__ import annotations

from fitness_platform.worker import Build, Job, WorkerContext, run_worker
from progress import consumers
from progress.settings import ProgressSettings, get_settings
from progress.storage import ChartStore


def parts(settings: ProgressSettings) -> tuple[Build, list[Job]]:
    store = ChartStore(settings)

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(
            ctx.broker, settings=settings, session_factory=ctx.sessionmaker, store=store
        )

    return build, []


def main() -> None:
    settings = get_settings()
    build, jobs = parts(settings)
    run_worker(settings, name="worker", build=build, jobs=jobs)


if __name__ == "__main__":
    main()
