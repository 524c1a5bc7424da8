"""Weekly reports: on request (201, then 200 rebuilding) and by the Monday job (once per week),
with a PNG chart in S3 behind a presigned URL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1
from fitness_contracts.training import WorkoutCreatedV1, WorkoutSnapshot
from fitness_platform.calendar import iso_week_start
from fitness_platform.events import process_event
from progress.activity.service import on_intake_event, on_workout_event
from progress.reports import jobs

pytestmark = pytest.mark.usefixtures("app")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def last_monday() -> date:
    return iso_week_start(datetime.now(UTC).date()) - timedelta(days=7)


async def fill_week(client, session_factory, envelope, user, monday: date) -> None:
    for i, kg in enumerate([80.0, 79.8, 79.9, 79.5]):
        day = monday + timedelta(days=i * 2)
        resp = await client.post(
            "/progress/weight", json={"date": day.isoformat(), "weightKg": kg}, headers=user.headers
        )
        assert resp.status_code == 201
    for i in range(3):
        event = IntakeLoggedV1(
            user_id=user.id,
            entry_id=uuid.uuid4(),
            day=monday + timedelta(days=i),
            day_totals=DayTotals(kcal=2000 + 100 * i, protein_g=100, fat_g=70, carbs_g=220),
            logged_at=datetime.now(UTC),
        )
        await process_event(
            session_factory, "progress.intake", envelope(event, subject=user.id), on_intake_event
        )
    snap = WorkoutSnapshot(
        workout_id=uuid.uuid4(),
        user_id=user.id,
        title="Swim",
        started_at=datetime.combine(monday, datetime.min.time(), UTC),
        local_date=monday + timedelta(days=1),
        duration_min=40,
        calories_burned=350.0,
    )
    await process_event(
        session_factory,
        "progress.workouts",
        envelope(WorkoutCreatedV1(workout=snap, created_at=datetime.now(UTC)), subject=user.id),
        on_workout_event,
    )


async def test_report_on_request_with_chart(
    client, user, other_user, session_factory, envelope, db, scalar
) -> None:
    monday = last_monday()
    await fill_week(client, session_factory, envelope, user, monday)
    resp = await client.post("/progress/weekly-report", headers=user.headers)
    assert resp.status_code == 201, resp.text
    report = resp.json()
    assert resp.headers["location"] == f"/progress/weekly-reports/{report['id']}"
    assert report["weekStart"] == monday.isoformat()
    assert len(report["days"]) == 7
    assert report["days"][0]["weightKg"] == 80.0
    assert report["days"][1]["kcalOut"] == 350.0
    assert report["totals"] == {
        "workouts": 1,
        "workoutMinutes": 40,
        "kcalBurned": 350.0,
        "kcalEaten": 6300.0,
        "daysLogged": 3,
        "weighIns": 4,
        "weightChangeKg": -0.5,
        "trendChangeKg": report["totals"]["trendChangeKg"],
    }
    assert report["totals"]["trendChangeKg"] < 0
    assert report["recommendations"]
    assert all(r["code"] and r["source"] for r in report["recommendations"])
    async with httpx.AsyncClient() as s3:
        image = await s3.get(report["chart"]["url"])
    assert image.status_code == 200
    assert image.content.startswith(PNG_MAGIC)

    again = await client.post(
        "/progress/weekly-report", json={"weekStart": monday.isoformat()}, headers=user.headers
    )
    assert again.status_code == 200
    assert again.json()["id"] == report["id"]
    assert await scalar(db, "SELECT count(*) FROM reports WHERE user_id = %s", user.id) == 1
    assert (
        await scalar(
            db,
            "SELECT count(*) FROM outbox WHERE key = %s AND event_type = 'progress.report.generated.v1'",
            str(user.id),
        )
        == 1
    )
    got = await client.get(f"/progress/weekly-reports/{report['id']}", headers=user.headers)
    assert got.status_code == 200
    assert got.json()["totals"] == report["totals"]
    assert (
        await client.get(f"/progress/weekly-reports/{report['id']}", headers=other_user.headers)
    ).status_code == 404


async def test_nothing_logged_is_404(client, user) -> None:
    assert (await client.post("/progress/weekly-report", headers=user.headers)).status_code == 404


@pytest.mark.parametrize("week", ["not-monday", "this-week", "1800-01-06"])
async def test_bad_week_is_422(client, user, db, scalar, week) -> None:
    this_monday = iso_week_start(datetime.now(UTC).date())
    value = {
        "not-monday": (this_monday - timedelta(days=6)).isoformat(),
        "this-week": this_monday.isoformat(),
        "1800-01-06": "1800-01-06",
    }[week]
    resp = await client.post(
        "/progress/weekly-report", json={"weekStart": value}, headers=user.headers
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "body.weekStart"
    assert await scalar(db, "SELECT count(*) FROM reports WHERE user_id = %s", user.id) == 0


def test_due_week_follows_local_monday_six() -> None:
    # Monday 2026-03-09 05:30 in Berlin (04:30 UTC): last week not yet due -> the week before.
    early = datetime(2026, 3, 9, 4, 30, tzinfo=UTC)
    assert jobs.due_week(early, "Europe/Berlin", 6) == date(2026, 2, 23)
    late = datetime(2026, 3, 9, 5, 30, tzinfo=UTC)  # 06:30 Berlin
    assert jobs.due_week(late, "Europe/Berlin", 6) == date(2026, 3, 2)
    # Same instant, Los Angeles is still on Sunday evening.
    assert jobs.due_week(late, "America/Los_Angeles", 6) == date(2026, 2, 23)


async def test_job_builds_each_week_once(
    app, client, user, session_factory, envelope, db, scalar
) -> None:
    # A week of its own in the past: only this test's users are active then (a cheap pass).
    monday = date(2025, 3, 3)
    await fill_week(client, session_factory, envelope, user, monday)
    now = datetime.combine(monday + timedelta(days=7), datetime.min.time(), UTC) + timedelta(
        hours=7
    )
    store = app.state.chart_store
    first = await jobs.run_once(session_factory, store, now=now, local_hour=6, batch_size=2)
    assert first >= 1
    count = "SELECT count(*) FROM reports WHERE user_id = %s AND week_start = %s AND trigger = 'schedule'"
    assert await scalar(db, count, user.id, monday) == 1
    # A rerun builds nothing for this user again.
    await jobs.run_once(session_factory, store, now=now, local_hour=6, batch_size=2)
    assert await scalar(db, "SELECT count(*) FROM reports WHERE user_id = %s", user.id) == 1
    assert (
        await scalar(
            db,
            "SELECT count(*) FROM outbox WHERE key = %s AND event_type = 'progress.report.generated.v1'",
            str(user.id),
        )
        == 1
    )


async def test_report_mass_assignment_is_422(client, user, db, scalar) -> None:
    resp = await client.post(
        "/progress/weekly-report",
        json={"weekStart": last_monday().isoformat(), "userId": str(uuid.uuid4())},
        headers=user.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "body.userId"
    assert await scalar(db, "SELECT count(*) FROM reports WHERE user_id = %s", user.id) == 0


async def test_another_user_cannot_build_from_my_data(
    client, user, other_user, session_factory, envelope
) -> None:
    await fill_week(client, session_factory, envelope, user, last_monday())
    resp = await client.post("/progress/weekly-report", headers=other_user.headers)
    assert resp.status_code == 404  # nothing logged by *them* that week


class FailingStore:
    """A chart store whose S3 is down."""

    ttl = timedelta(hours=1)

    async def put_png(self, key: str, data: bytes) -> None:
        raise ConnectionError("S3 unreachable")


async def test_job_survives_a_failing_user_and_retries_later(
    app, client, user, session_factory, envelope, db, scalar
) -> None:
    monday = date(2025, 4, 7)
    await fill_week(client, session_factory, envelope, user, monday)
    now = datetime.combine(monday + timedelta(days=7), datetime.min.time(), UTC) + timedelta(
        hours=7
    )
    await jobs.run_once(session_factory, FailingStore(), now=now, local_hour=6, batch_size=50)  # type: ignore[arg-type]
    assert await scalar(db, "SELECT count(*) FROM reports WHERE user_id = %s", user.id) == 0
    await jobs.run_once(
        session_factory, app.state.chart_store, now=now, local_hour=6, batch_size=50
    )
    assert await scalar(db, "SELECT count(*) FROM reports WHERE user_id = %s", user.id) == 1
