"""Background worker: ``python -m nutrition.worker``.

Consumes ``identity.user`` (profile read model, recalculation, GDPR erasure) and runs the weekly
achievements check for every user on a timer.
"""

from __future__ import annotations

from fitness_platform.sync import prune_tombstones_periodically
from fitness_platform.worker import Build, Job, WorkerContext, run_worker
from nutrition import consumers
from nutrition.achievements import jobs as achievement_jobs
from nutrition.settings import NutritionSettings, get_settings


def parts(settings: NutritionSettings) -> tuple[Build, list[Job]]:
    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(ctx.broker, settings=settings, session_factory=ctx.sessionmaker)

    async def weekly_achievements(ctx: WorkerContext) -> None:
        await achievement_jobs.run_periodically(
            ctx.sessionmaker, interval_s=settings.achievements_check_interval_s, stop=ctx.stop
        )

    return build, [weekly_achievements, prune_tombstones_periodically]


def main() -> None:
    settings = get_settings()
    build, jobs = parts(settings)
    run_worker(settings, name="worker", build=build, jobs=jobs)


if __name__ == "__main__":
    main()
