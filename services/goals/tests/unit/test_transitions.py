"""Goal status life cycle."""

from __future__ import annotations

import pytest

from goals.domain.transitions import IllegalTransitionError, check_transition, is_closed


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        ("active", "paused"),
        ("active", "completed"),
        ("active", "abandoned"),
        ("paused", "active"),
        ("paused", "abandoned"),
    ],
)
def test_legal_changes(current: str, requested: str) -> None:
    assert check_transition(current, requested) is True


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        ("paused", "completed"),
        ("completed", "active"),
        ("completed", "paused"),
        ("abandoned", "active"),
        ("completed", "abandoned"),
    ],
)
def test_illegal_changes_raise(current: str, requested: str) -> None:
    with pytest.raises(IllegalTransitionError, match=f"{current} goal cannot become {requested}"):
        check_transition(current, requested)


def test_same_status_is_a_no_op_and_final_states_are_closed() -> None:
    assert check_transition("completed", "completed") is False
    assert is_closed("completed")
    assert is_closed("abandoned")
    assert not is_closed("paused")
