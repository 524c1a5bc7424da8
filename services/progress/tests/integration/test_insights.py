"""POST /progress/analyze and /progress/forecast over the real schema."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from fitness_contracts.identity import ProfileSnapshot, UserProfileUpdatedV1
from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1
from fitness_platform.calendar import age_on
from fitness_platform.events import process_event
from fitness_platform.projections.user_profiles import apply_user_event
from progress.activity.service import on_intake_event
from progress.domain import hall

pytestmark = pytest.mark.usefixtures("app")


def today() -> date:
    return datetime.now(UTC).date()


async def set_profile(session_factory, envelope, user_id, **changes) -> None:
    values = {
        "name": "Max",
        "birth_date": date(1986, 1, 1),
        "gender": "male",
        "height_cm": 180.0,
        "weight_kg": 95.0,
        "activity_level": "moderate",
        "goal": "lose",
        "target_rate_kg_per_week": 0.5,
        "timezone": "UTC",
    } | changes
    event = UserProfileUpdatedV1(
        user_id=user_id,
        profile=ProfileSnapshot(**values),
        changed_fields=["weight_kg"],
        updated_at=datetime.now(UTC),
    )
    await process_event(
        session_factory,
        "progress.profiles",
        envelope(event, subject=user_id),
        apply_user_event_handler,
    )


async def apply_user_event_handler(session, env) -> None:
    await apply_user_event(session, env)


async def log_days(
    client,
    session_factory,
    envelope,
    user,
    *,
    days: int,
    start_kg: float,
    per_day: float,
    kcal: float,
):
    for i in range(days):
        day = today() - timedelta(days=days - 1 - i)
        resp = await client.post(
            "/progress/weight",
            json={"date": day.isoformat(), "weightKg": round(start_kg + per_day * i, 2)},
            headers=user.headers,
        )
        assert resp.status_code == 201
        event = IntakeLoggedV1(
            user_id=user.id,
            entry_id=uuid.uuid4(),
            day=day,
            day_totals=DayTotals(kcal=kcal, protein_g=100, fat_g=60, carbs_g=200),
            logged_at=datetime.now(UTC),
        )
        await process_event(
            session_factory, "progress.intake", envelope(event, subject=user.id), on_intake_event
        )


async def test_analyze_finds_rapid_loss_and_reports_evidence(
    client, user, session_factory, envelope
) -> None:
    await set_profile(session_factory, envelope, user.id)
    await log_days(
        client, session_factory, envelope, user, days=28, start_kg=95.0, per_day=-0.25, kcal=1200
    )
    resp = await client.post("/progress/analyze", json={}, headers=user.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["weighIns"] == 28
    assert body["loggedDays"] == 28
    codes = {f["code"]: f for f in body["findings"]}
    assert "LOSING_TOO_FAST" in codes
    assert codes["LOSING_TOO_FAST"]["evidence"]["kgPerWeek"] == pytest.approx(-1.75, abs=0.01)
    assert codes["LOSING_TOO_FAST"]["source"]


async def test_analyze_without_data_says_so(client, user) -> None:
    body = (await client.post("/progress/analyze", headers=user.headers)).json()
    assert {f["code"] for f in body["findings"]} == {"TOO_FEW_WEIGH_INS", "TOO_FEW_LOGGED_DAYS"}


async def test_forecast_with_prior_for_sample_profile(
    client, user, session_factory, envelope
) -> None:
    await set_profile(session_factory, envelope, user.id)
    resp = await client.post(
        "/progress/forecast",
        json={
            "horizonDays": 90,
            "calorieChangeKcal": -500,
            "targetWeightKg": 91,
            "targetDate": (today() + timedelta(days=90)).isoformat(),
        },
        headers=user.headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["method"] == "hall-2011-dynamic"
    assert body["uncertainty"] == "prior"
    assert body["tdee"]["method"] == "prior"
    assert body["calorieChangeSource"] == "request"
    assert body["resolution"] == "daily"
    assert len(body["points"]) == 91
    # Same model, same inputs, computed directly: the API returns the model's numbers.
    person = hall.Person("male", age_on(date(1986, 1, 1), today()), 1.8, 95.0)
    expected = hall.simulate(hall.baseline(person, pal=1.55), intake_change=-500, days=90).weight
    assert body["points"][-1]["expectedKg"] == pytest.approx(expected[90], abs=0.01)
    assert all(p["lowerKg"] <= p["expectedKg"] <= p["upperKg"] for p in body["points"])
    assert body["target"]["expectedDate"] is not None
    assert 0.5 < body["target"]["probability"] <= 1


async def test_forecast_uses_adaptive_tdee_with_enough_data(
    client, user, session_factory, envelope
) -> None:
    await set_profile(session_factory, envelope, user.id)
    await log_days(
        client, session_factory, envelope, user, days=21, start_kg=95.0, per_day=-0.05, kcal=2300
    )
    body = (
        await client.post("/progress/forecast", json={"horizonDays": 365}, headers=user.headers)
    ).json()
    assert body["uncertainty"] == "adaptive-tdee"
    assert body["tdee"]["weighIns"] == 21
    assert body["calorieChangeSource"] == "intake-log"
    assert body["resolution"] == "weekly"
    assert body["points"][-1]["date"] == (today() + timedelta(days=365)).isoformat()
    # Losing 0.35 kg/week on 2,300 kcal: maintenance is above intake, the forecast keeps losing.
    assert body["tdee"]["kcal"] > 2300
    assert body["points"][-1]["expectedKg"] < body["startWeightKg"]


async def test_forecast_needs_a_profile(client, user) -> None:
    resp = await client.post("/progress/forecast", json={"horizonDays": 30}, headers=user.headers)
    assert resp.status_code == 409
    assert "gender" in resp.json()["missingFields"]


@pytest.mark.parametrize(
    "body",
    [
        {"horizonDays": 0},
        {"horizonDays": 10000},
        {"horizonDays": 30, "pal": 5},
        {"horizonDays": 30, "calorieChangeKcal": -9000},
        {"horizonDays": 30, "targetWeightKg": 0},
        {"horizonDays": 30, "userId": str(uuid.uuid4())},
        {},
    ],
)
async def test_bad_forecast_input_is_422(client, user, body) -> None:
    resp = await client.post("/progress/forecast", json=body, headers=user.headers)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_bad_analyze_input_is_422(client, user) -> None:
    resp = await client.post(
        "/progress/analyze", json={"from": "2026-02-02", "to": "2026-02-01"}, headers=user.headers
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "body.from"


async def test_another_users_history_never_leaks(
    client, user, other_user, session_factory, envelope
) -> None:
    await set_profile(session_factory, envelope, user.id)
    await log_days(
        client, session_factory, envelope, user, days=14, start_kg=95.0, per_day=-0.1, kcal=2000
    )
    analysis = (await client.post("/progress/analyze", headers=other_user.headers)).json()
    assert analysis["weighIns"] == 0
    assert analysis["loggedDays"] == 0
    # The other user has no profile of their own: the forecast cannot borrow this one.
    resp = await client.post(
        "/progress/forecast", json={"horizonDays": 30}, headers=other_user.headers
    )
    assert resp.status_code == 409
