"""/progress/weekly-report: build (or rebuild) a week's report; read a stored one."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.etags import etag_of
from fitness_platform.problems import NotFound, problem_responses
from progress.dependencies import AUTH_RESPONSES, ChartStoreDep
from progress.reports import service
from progress.reports.schemas import WeeklyReportIn, WeeklyReportOut

router = APIRouter(prefix="/progress", tags=["reports"], responses=AUTH_RESPONSES)


@router.post(
    "/weekly-report",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": WeeklyReportOut, "description": "the week's stored report, rebuilt"},
        **problem_responses(404),
    },
)
async def weekly_report(
    user: CurrentUserDep,
    session: SessionDep,
    store: ChartStoreDep,
    response: Response,
    body: WeeklyReportIn | None = None,
) -> WeeklyReportOut:
    """Daily weight + trend, kcal in/out and target, totals, recommendations (code, severity,
    message, source) and a chart rendered server-side (PNG in S3, presigned GET URL). One report
    per week: asking again rebuilds it with late entries (200). 404 if nothing was logged that
    week. Emits progress.report.generated.v1 on the first build."""
    built = await service.request_report(
        session=session, store=store, user_id=user.id, data=body or WeeklyReportIn()
    )
    if built is None:
        raise NotFound("Nothing was logged in that week.")
    report, created = built
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/progress/weekly-reports/{report.id}"
    return report


@router.get("/weekly-reports/{report_id}", responses=problem_responses(404))
async def get_weekly_report(
    report_id: UUID,
    user: CurrentUserDep,
    session: SessionDep,
    store: ChartStoreDep,
    response: Response,
) -> WeeklyReportOut:
    """A stored report with a fresh chart URL; another user's id is 404."""
    report = await service.get_report(
        session=session, store=store, user_id=user.id, report_id=report_id
    )
    if report is None:
        raise NotFound("No such report.")
    # The chart URL is signed afresh on every read; the ETag follows the report, not the URL.
    unsigned = report.model_dump_json(exclude={"chart": {"url", "expires_at"}})
    response.headers["ETag"] = etag_of(unsigned.encode())
    return report
