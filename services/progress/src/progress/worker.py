"""Background worker: ``python -m progress.worker``.

Consumes identity.user (profiles, GDPR erasure), training.workout, nutrition.intake and
nutrition.targets (read models), and builds the weekly reports after each user's local Monday
06:00.
"""

from __future__ import annotations

from fitness_platform.sync import prune_tombstones_periodically
from fitness_platform.worker import Build, Job, WorkerContext, run_worker
from progress import consumers
from progress.reports import jobs as report_jobs
from progress.settings import ProgressSettings, get_settings
from progress.storage import ChartStore


def parts(settings: ProgressSettings) -> tuple[Build, list[Job]]:
    store = ChartStore(settings)

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(
            ctx.broker, settings=settings, session_factory=ctx.sessionmaker, store=store
        )

    async def weekly_reports(ctx: WorkerContext) -> None:
        await report_jobs.run_periodically(
            ctx.sessionmaker,
            store,
            interval_s=settings.report_check_interval_s,
            local_hour=settings.report_local_hour,
            batch_size=settings.report_batch_size,
            stop=ctx.stop,
        )

    return build, [weekly_reports, prune_tombstones_periodically]


def main() -> None:
    settings = get_settings()
    build, jobs = parts(settings)
    run_worker(settings, name="worker", build=build, jobs=jobs)


if __name__ == "__main__":
    main()
