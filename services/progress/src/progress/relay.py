"""Outbox relay process: ``python -m progress.relay``."""

from __future__ import annotations

from fitness_platform.outbox import run_relay
from progress.settings import get_settings


def main() -> None:
    run_relay(get_settings())


if __name__ == "__main__":
    main()
