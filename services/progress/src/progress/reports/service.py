"""Weekly report: chart-ready series, totals, recommendations and a rendered chart in S3."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.progress import ReportGeneratedV1
from fitness_platform.calendar import iso_week_start
from fitness_platform.outbox import add_event
from progress import storage, users
from progress.domain import analysis
from progress.insights import history
from progress.reports import chart, repository
from progress.reports.models import Report
from progress.reports.schemas import (
    Chart,
    Recommendation,
    ReportDay,
    ReportTotals,
    WeeklyReportIn,
    WeeklyReportOut,
)
from progress.storage import ChartStore
from progress.weights.service import EARLIEST, date_error

# Recommendations judge the week in the context of the four weeks ending with it: one week of
# weigh-ins is too noisy for a rate (Walker, The Hacker's Diet).
CONTEXT_DAYS = 28
ON_TRACK = Recommendation(
    code="ON_TRACK",
    severity="info",
    message="No issues found this week: keep logging your weight and meals.",
    source="all rules of POST /progress/analyze passed",
)


def last_complete_week(today: date) -> date:
    return iso_week_start(today) - timedelta(days=7)


def check_week(week_start: date, today: date) -> None:
    if week_start.weekday() != 0:
        raise date_error("body.weekStart", "weekStart must be a Monday")
    if week_start < EARLIEST:
        raise date_error("body.weekStart", f"weekStart must not be before {EARLIEST}")
    if week_start + timedelta(days=6) >= today:
        raise date_error("body.weekStart", "the week must be over (in your timezone)")


def _body(h: history.History, week_start: date) -> dict[str, Any] | None:
    """The report without id and chart; None when the user did nothing that week."""
    week = [week_start + timedelta(days=i) for i in range(7)]
    weights = {w.day: w for w in h.weights if w.day >= week_start}
    intake = {i.day: i.kcal for i in h.intake if i.day >= week_start}
    burned: dict[date, float] = defaultdict(float)
    workouts = [w for w in h.workouts if w.local_date >= week_start]
    for w in workouts:
        burned[w.local_date] += w.kcal or 0.0
    if not weights and not intake and not workouts:
        return None
    target = h.target.daily_calories if h.target else None
    days = [
        ReportDay(
            day=d,
            weight_kg=weights[d].weight_kg if d in weights else None,
            trend_weight_kg=round(weights[d].trend_kg, 2) if d in weights else None,
            kcal_in=intake.get(d),
            kcal_out=round(burned[d], 1),
            target_kcal=target,
        )
        for d in week
    ]
    in_week = [weights[d] for d in week if d in weights]
    totals = ReportTotals(
        workouts=len(workouts),
        workout_minutes=sum(w.duration_min for w in workouts),
        kcal_burned=round(sum(burned.values()), 1),
        kcal_eaten=round(sum(intake.values()), 1),
        days_logged=len(intake),
        weigh_ins=len(in_week),
        weight_change_kg=(
            round(in_week[-1].weight_kg - in_week[0].weight_kg, 2) if len(in_week) > 1 else None
        ),
        trend_change_kg=(
            round(in_week[-1].trend_kg - in_week[0].trend_kg, 2) if len(in_week) > 1 else None
        ),
    )
    findings = analysis.analyze(h.period())
    recs = [
        Recommendation(code=f.code, severity=f.severity, message=f.message, source=f.source)
        for f in findings
    ] or [ON_TRACK]
    return {
        "weekStart": week_start.isoformat(),
        "weekEnd": week[-1].isoformat(),
        "days": [d.model_dump(mode="json", by_alias=True) for d in days],
        "totals": totals.model_dump(mode="json", by_alias=True),
        "recommendations": [r.model_dump(mode="json", by_alias=True) for r in recs],
    }


def _png(body: dict[str, Any], title: str) -> bytes:
    days = body["days"]
    return chart.render_week_png(
        days=[date.fromisoformat(d["date"]) for d in days],
        weights=[d["weightKg"] for d in days],
        trends=[d["trendWeightKg"] for d in days],
        kcal_in=[d["kcalIn"] for d in days],
        kcal_out=[d["kcalOut"] for d in days],
        target_kcal=days[0]["targetKcal"],
        title=title,
    )


async def to_out(row: Report, store: ChartStore) -> WeeklyReportOut:
    url = await store.url(row.chart_key)
    expires = datetime.now(UTC) + store.ttl
    return WeeklyReportOut.model_validate(
        {
            **row.body,
            "id": row.id,
            "generatedAt": row.updated_at,
            "chart": Chart(url=url, expires_at=expires),
        }
    )


async def build(
    *,
    session: AsyncSession,
    store: ChartStore,
    user_id: UUID,
    week_start: date,
    trigger: str,
    replace: bool,
) -> tuple[Report, bool] | None:
    """Build and store the week's report. None when there was nothing to report or (without
    ``replace``) another run stored it first. The event goes out once, on creation."""
    week_end = week_start + timedelta(days=6)
    h = await history.load(session, user_id, week_end - timedelta(days=CONTEXT_DAYS - 1), week_end)
    body = _body(h, week_start)
    # End the read transaction before the slow part: no transaction (snapshot, locks, pooled
    # connection) is held across the chart render (~0.15 s CPU) and the S3 upload, so nothing
    # waits on the job per user. The body is a plain dict: the expired rows are not touched again.
    await session.rollback()
    if body is None:
        return None
    key = storage.chart_key(user_id, week_start)
    png = await asyncio.to_thread(_png, body, f"Week of {week_start.isoformat()}")
    await store.put_png(key, png)
    # The write transaction: one INSERT (+ outbox row) and the commit.
    saved = await repository.save(
        session,
        report_id=uuid4(),
        user_id=user_id,
        week_start=week_start,
        body=body,
        chart_key=key,
        trigger=trigger,
        replace=replace,
    )
    if saved is None:
        await session.rollback()
        return None
    report_id, created = saved
    if created:
        await add_event(
            session,
            ReportGeneratedV1(
                user_id=user_id,
                report_id=report_id,
                week_start=week_start,
                generated_at=datetime.now(UTC),
            ),
            key=str(user_id),
        )
    await session.commit()
    row = await repository.get(session, user_id, report_id)
    assert row is not None
    await session.refresh(row)
    return row, created


async def request_report(
    *, session: AsyncSession, store: ChartStore, user_id: UUID, data: WeeklyReportIn
) -> tuple[WeeklyReportOut, bool] | None:
    today = users.latest_possible_today(await users.profile(session, user_id))
    week_start = data.week_start or last_complete_week(today)
    check_week(week_start, today)
    built = await build(
        session=session,
        store=store,
        user_id=user_id,
        week_start=week_start,
        trigger="request",
        replace=True,
    )
    if built is None:
        return None
    row, created = built
    return await to_out(row, store), created


async def get_report(
    *, session: AsyncSession, store: ChartStore, user_id: UUID, report_id: UUID
) -> WeeklyReportOut | None:
    row = await repository.get(session, user_id, report_id)
    return await to_out(row, store) if row else None
