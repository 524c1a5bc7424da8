"""Goal status life cycle: which status changes a user may make."""

from __future__ import annotations

from typing import Final

ACTIVE: Final = "active"
PAUSED: Final = "paused"
COMPLETED: Final = "completed"
ABANDONED: Final = "abandoned"

# completed and abandoned are final: a reached goal stays reached (its achieved event was
# published once), an abandoned one is replaced by a new goal rather than revived.
LEGAL: Final[dict[str, frozenset[str]]] = {
    ACTIVE: frozenset({PAUSED, COMPLETED, ABANDONED}),
    PAUSED: frozenset({ACTIVE, ABANDONED}),
    COMPLETED: frozenset(),
    ABANDONED: frozenset(),
}


class IllegalTransitionError(ValueError):
    def __init__(self, current: str, requested: str) -> None:
        allowed = ", ".join(sorted(LEGAL.get(current, frozenset()))) or "none"
        super().__init__(f"a {current} goal cannot become {requested} (allowed: {allowed})")
        self.current = current
        self.requested = requested


def check_transition(current: str, requested: str) -> bool:
    """True when the status changes, False for a no-op; raises for an illegal change."""
    if current == requested:
        return False
    if requested not in LEGAL.get(current, frozenset()):
        raise IllegalTransitionError(current, requested)
    return True


def is_closed(status: str) -> bool:
    return status in (COMPLETED, ABANDONED)
