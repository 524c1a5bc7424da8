"""Outbox relay process: ``python -m goals.relay``."""

from __future__ import annotations

from fitness_platform.outbox import run_relay
from goals.settings import get_settings


def main() -> None:
    run_relay(get_settings())


if __name__ == "__main__":
    main()
