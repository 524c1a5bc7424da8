"""Weekly reports: on request (201, then 200 rebuilding) and by the Monday job (once per week),
with a PNG chart in S3 behind a presigned URL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from fitness_contracts.nutrition import DayTotals, IntakeLoggedV1
from fitness_contracts.training import WorkoutCreatedV1, WorkoutSnapshot
from fitness_platform.calendar import iso_week_start
from fitness_platform.etags import etag_of
from fitness_platform.events import process_event
from progress.activity.service import on_intake_event, on_workout_event
from progress.reports import jobs, service

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
    # The ETag leaves the freshly signed chart URL out, so a client's copy stays current.
    etag = got.headers["etag"]
    assert etag != etag_of(got.content)
    cached = await client.get(
        f"/progress/weekly-reports/{report['id']}", headers={**user.headers, "If-None-Match": etag}
    )
    assert cached.status_code == 304
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


class RecordingStore:
    """The real chart store, noting whether the build's session had a transaction open while
    the chart was uploaded."""

    def __init__(self, store, session) -> None:
        self._store = store
        self._session = session
        self.ttl = store.ttl
        self.in_transaction_at_upload: list[bool] = []

    async def put_png(self, key: str, data: bytes) -> None:
        self.in_transaction_at_upload.append(self._session.in_transaction())
        await self._store.put_png(key, data)

    async def url(self, key: str) -> str:
        return await self._store.url(key)


async def test_build_holds_no_transaction_across_render_and_upload(
    app, client, user, session_factory, envelope, monkeypatch
) -> None:
    monday = date(2025, 5, 5)
    await fill_week(client, session_factory, envelope, user, monday)
    rendering: list[bool] = []
    render = service._png
    async with session_factory() as session:

        def png(body, title):  # type: ignore[no-untyped-def]
            rendering.append(session.in_transaction())
            return render(body, title)

        monkeypatch.setattr(service, "_png", png)
        store = RecordingStore(app.state.chart_store, session)
        built = await service.build(
            session=session,
            store=store,  # type: ignore[arg-type]
            user_id=user.id,
            week_start=monday,
            trigger="schedule",
            replace=False,
        )
    assert built is not None
    assert built[1]  # created
    # Neither the render nor the S3 upload runs inside the session's transaction: nothing the
    # job read or locked for this user is held meanwhile.
    assert rendering == [False]
    assert store.in_transaction_at_upload == [False]


async def test_reads_do_not_wait_on_an_open_write_transaction(client, user, db) -> None:
    day = date(2025, 6, 2)
    resp = await client.post(
        "/progress/weight", json={"date": day.isoformat(), "weightKg": 81.0}, headers=user.headers
    )
    assert resp.status_code == 201
    async with db.transaction(force_rollback=True):
        # What a weigh-in write (or a consumer) holds for this user until it commits: the
        # per-user advisory lock, row locks on the user's weights and profile, an uncommitted
        # change.
        await db.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"weights:{user.id}",)
        )
        await db.execute("SELECT 1 FROM weights WHERE user_id = %s FOR UPDATE", (user.id,))
        await db.execute("SELECT 1 FROM user_profiles WHERE user_id = %s FOR UPDATE", (user.id,))
        await db.execute(
            "UPDATE weights SET weight_kg = 99 WHERE user_id = %s AND day = %s", (user.id, day)
        )
        # A hang guard, not a timing assertion: a read that waited on the lock would never end.
        listed = await asyncio.wait_for(
            client.get("/progress/weight", params={"from": day.isoformat()}, headers=user.headers),
            timeout=10,
        )
        summary = await asyncio.wait_for(
            client.get("/progress/summary", params={"period": "week"}, headers=user.headers),
            timeout=10,
        )
        one = await asyncio.wait_for(
            client.get(f"/progress/weight/{day.isoformat()}", headers=user.headers), timeout=10
        )
    assert listed.status_code == 200
    assert [e["weightKg"] for e in listed.json()["items"]] == [81.0]  # the committed value
    assert summary.status_code == 200
    assert one.status_code == 200
    assert one.json()["weightKg"] == 81.0
