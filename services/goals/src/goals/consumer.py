"""Consumer process: ``python -m goals.consumer`` (read models, auto-progress, GDPR erasure)."""

from __future__ import annotations

from fitness_platform.worker import WorkerContext, run_worker
from goals import consumers
from goals.settings import get_settings


def main() -> None:
    settings = get_settings()

    def build(ctx: WorkerContext) -> None:
        assert ctx.broker is not None
        consumers.register(ctx.broker, settings=settings, session_factory=ctx.sessionmaker)

    run_worker(settings, name="consumer", build=build)


if __name__ == "__main__":
    main()
