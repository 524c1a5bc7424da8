"""Pure profile rules: age, bounds, time zones, changed fields."""

from __future__ import annotations

from datetime import date

import pytest

from identity.users import domain


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2000, 6, 15), date(2026, 6, 14), 25),
        (date(2000, 6, 15), date(2026, 6, 15), 26),
        (date(2004, 2, 29), date(2026, 2, 28), 21),  # leap-day birthday counts on 1 March
        (date(2004, 2, 29), date(2026, 3, 1), 22),
    ],
)
def test_age_on(born: date, today: date, age: int) -> None:
    assert domain.age_on(born, today) == age


def test_age_problem_bounds_are_inclusive() -> None:
    today = date(2026, 11, 27)
    assert domain.age_problem(date(2013, 11, 27), today) is None  # 13 today
    assert domain.age_problem(date(2013, 11, 28), today) is not None  # 13 tomorrow
    assert domain.age_problem(date(1906, 11, 27), today) is None  # 120
    assert domain.age_problem(date(1905, 11, 27), today) is not None  # 121
    assert domain.age_problem(date(2030, 1, 1), today) is not None  # future


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
def test_known_timezones(name: str) -> None:
    assert domain.is_valid_timezone(name)


@pytest.mark.parametrize("name", ["", "Mars/Base", "europe/berlin", "../etc/passwd", "UTC\x00"])
def test_unknown_timezones(name: str) -> None:
    assert not domain.is_valid_timezone(name)


def test_changed_fields_lists_only_real_changes_sorted() -> None:
    current = {"weight_kg": 70.0, "height_cm": 170.0, "name": "Ada", "goal": None}
    proposed = {"weight_kg": 70, "name": "Ada L.", "height_cm": 171.0, "goal": None}
    assert domain.changed_fields(current, proposed) == ["height_cm", "name"]
    assert domain.changed_fields(current, {}) == []
