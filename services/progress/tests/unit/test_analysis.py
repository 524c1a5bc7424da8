"""Findings: each rule fires on its evidence and stays quiet otherwise."""

from __future__ import annotations

from datetime import date, timedelta

from progress.domain import analysis, trend

START = date(2026, 3, 2)


def period(
    weights: list[float], intake: list[float] | None = None, **kw: object
) -> analysis.Period:
    days = [START + timedelta(days=i) for i in range(len(weights))]
    trends = trend.series(weights)
    weigh_ins = [analysis.WeighIn(d, w, t) for d, w, t in zip(days, weights, trends, strict=True)]
    kcal = intake if intake is not None else []
    return analysis.Period(
        start=START,
        end=START + timedelta(days=27),
        weigh_ins=weigh_ins,
        intake=[(START + timedelta(days=i), k) for i, k in enumerate(kcal)],
        **kw,  # type: ignore[arg-type]
    )


def codes(p: analysis.Period) -> set[str]:
    return {f.code for f in analysis.analyze(p)}


def test_too_few_data() -> None:
    assert codes(period([80.0, 79.8])) == {"TOO_FEW_WEIGH_INS", "TOO_FEW_LOGGED_DAYS"}


def test_losing_faster_than_one_percent_a_week() -> None:
    # 0.2 kg/day from 80 kg = 1.4 kg/week = 1.75 %/week
    p = period([80 - 0.2 * i for i in range(28)], [1800.0] * 28)
    found = {f.code: f for f in analysis.analyze(p)}
    assert "LOSING_TOO_FAST" in found
    assert found["LOSING_TOO_FAST"].evidence["pctPerWeek"] < -1.0
    assert "LOSING_TOO_FAST" not in codes(period([80 - 0.05 * i for i in range(28)], [1800.0] * 28))


def test_gaining_while_goal_is_to_lose() -> None:
    rising = [80 + 0.05 * i for i in range(28)]
    assert "GAINING_WHILE_LOSING" in codes(period(rising, [2500.0] * 28, goal="lose"))
    assert "GAINING_WHILE_LOSING" not in codes(period(rising, [2500.0] * 28, goal="gain"))


def test_plateau_in_a_deficit() -> None:
    flat = [80.0] + [80.0 + (0.3 if i % 2 else -0.3) for i in range(1, 28)]
    found = {
        f.code: f for f in analysis.analyze(period(flat, [1800.0] * 28, maintenance_kcal=2400))
    }
    assert "PLATEAU" in found
    assert found["PLATEAU"].evidence["maintenanceKcal"] == 2400
    # Eating at maintenance: a flat trend is just maintenance.
    assert "PLATEAU" not in codes(period(flat, [2500.0] * 28, maintenance_kcal=2400))


def test_intake_below_and_above_target() -> None:
    flat = [80.0] * 28
    assert "INTAKE_BELOW_TARGET" in codes(period(flat, [1500.0] * 20, target_kcal=2000))
    assert "INTAKE_ABOVE_TARGET" in codes(period(flat, [2500.0] * 20, target_kcal=2000))
    on_target = codes(period(flat, [2050.0] * 20, target_kcal=2000))
    assert not on_target & {"INTAKE_BELOW_TARGET", "INTAKE_ABOVE_TARGET"}
