"""``GET /admin/metrics``: registrations, DAU/WAU/MAU, stickiness, cohort retention."""

from __future__ import annotations

from fastapi import APIRouter

from fitness_platform.auth import AdminDep
from fitness_platform.db import SessionDep
from fitness_platform.problems import problem_responses
from identity.activity import service
from identity.activity.dependencies import DayRangeDep, OptionalRedisDep
from identity.activity.schemas import EngagementMetrics

router = APIRouter(prefix="/admin/metrics", tags=["admin"])

CACHE_TTL_S = 60

DESCRIPTION = """\
Engagement of the user base over `from`..`to` (UTC calendar days, both inclusive; at most 366
days; defaults: the 30 days ending today). Role `admin`. Cached for 60 s per (`from`, `to`).

Definitions:

- **active**: a user is active on a UTC day when they did anything that day: a login or a token
  refresh (recorded by identity itself) or any domain event carrying their user id
  (nutrition.intake, nutrition.targets, training.workout, progress.weight, goals.goal,
  media.asset, identity.user), dated by the event's `ce_time`. An event delivered twice counts once.
- **registrations** (per day): accounts whose signup falls on that day; the top-level figure is
  their sum over the range.
- **DAU** of a day: distinct users active on that day.
- **WAU** of a day: distinct users active on at least one of the 7 days ending on that day.
- **MAU** of a day: distinct users active on at least one of the 30 days ending on that day.
- **stickiness** of a day: DAU / MAU of that day (null when MAU is 0). The top-level
  `stickiness` is the mean of the daily values over the days where it is defined.
- **cohort**: the users whose signup falls in one ISO week (Monday–Sunday), counting only
  signups inside the range (`cohort` = `YYYY-Www`, `size` = members).
- **Dn retention** (n = 1, 7, 30): share of the cohort's members active on their own signup
  day + n. Null until signup + n is within the range for every member (not yet measurable).
"""


@router.get(
    "",
    response_model=EngagementMetrics,
    responses=problem_responses(401, 403, 422, 429),
    summary="Engagement metrics (DAU/WAU/MAU, stickiness, retention)",
    description=DESCRIPTION,
)
async def metrics(
    admin: AdminDep, days: DayRangeDep, session: SessionDep, redis: OptionalRedisDep
) -> EngagementMetrics:
    return await service.engagement_metrics(
        session=session, redis=redis, start=days.start, end=days.end, cache_ttl_s=CACHE_TTL_S
    )
