"""Wire models of ``GET /admin/metrics``."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from fitness_platform.schemas import CamelModel
from identity.domain import engagement


class DayEngagement(CamelModel):
    day: date
    registrations: int = Field(ge=0, description="accounts whose signup (UTC) falls on this day")
    dau: int = Field(ge=0, description="distinct users active on this day")
    wau: int = Field(ge=0, description="distinct users active in the 7 days ending on this day")
    mau: int = Field(ge=0, description="distinct users active in the 30 days ending on this day")
    stickiness: float | None = Field(
        ge=0, le=1, description="DAU / MAU of this day; null when MAU is 0"
    )


class CohortRetention(CamelModel):
    cohort: str = Field(description="ISO week of signup, e.g. 2026-W48", examples=["2026-W48"])
    week_start: date = Field(description="Monday of that ISO week")
    size: int = Field(ge=1, description="users of the cohort who signed up inside the range")
    d1: float | None = Field(ge=0, le=1, description="share active on signup day + 1")
    d7: float | None = Field(ge=0, le=1, description="share active on signup day + 7")
    d30: float | None = Field(ge=0, le=1, description="share active on signup day + 30")


class EngagementMetrics(CamelModel):
    from_: date = Field(alias="from")
    to: date
    registrations: int = Field(ge=0, description="accounts created in the range")
    stickiness: float | None = Field(
        ge=0, le=1, description="mean of the daily stickiness over the days where it is defined"
    )
    days: list[DayEngagement]
    cohorts: list[CohortRetention]

    @classmethod
    def from_domain(cls, result: engagement.Engagement) -> EngagementMetrics:
        return cls.model_validate(
            {
                "from": result.start,
                "to": result.end,
                "registrations": result.registrations,
                "stickiness": result.stickiness,
                "days": [
                    DayEngagement(
                        day=d.day,
                        registrations=d.registrations,
                        dau=d.dau,
                        wau=d.wau,
                        mau=d.mau,
                        stickiness=d.stickiness,
                    )
                    for d in result.days
                ],
                "cohorts": [
                    CohortRetention(
                        cohort=f"{c.iso_year}-W{c.iso_week:02d}",
                        week_start=c.week_start,
                        size=c.size,
                        d1=c.retention[1],
                        d7=c.retention[7],
                        d30=c.retention[30],
                    )
                    for c in result.cohorts
                ],
            }
        )
