"""What every long-running fleet process does at start, whatever it runs (relay, worker)."""

from __future__ import annotations

import logging
import os

log = logging.getLogger("fitness_platform.process")

NICE_ENV = "FITNESS_PROCESS_NICE"


def lower_priority_from_env() -> int:
    """Apply ``FITNESS_PROCESS_NICE`` (0-19) to this process; returns the niceness added.

    The local launcher sets it for relays, workers and consumers: on a 2-core machine shared by
    the whole fleet, background work then yields the CPU to the APIs under load and catches
    up when they are idle (event latency at rest is unchanged). Unset everywhere else
    (containers get their own CPU shares)."""
    raw = os.environ.get(NICE_ENV, "")
    if not raw.strip():
        return 0
    try:
        nice = max(0, min(19, int(raw)))
    except ValueError:
        log.warning("ignoring a malformed niceness", extra={"value": raw})
        return 0
    if nice:
        os.nice(nice)
    return nice
