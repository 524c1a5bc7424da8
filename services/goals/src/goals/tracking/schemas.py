"""Wire models of evaluation, auto-update and streaks."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from fitness_platform.schemas import CamelInput, CamelModel
from goals.goals.schemas import GoalStatus, GoalType


class EvidenceOut(CamelModel):
    """What the evaluation was based on; only the fields of the goal's type are set."""

    start_weight_kg: float | None = Field(default=None, description="trend weight at the start")
    current_weight_kg: float | None = Field(default=None, description="trend weight now")
    target_weight_kg: float | None = None
    last_weight_kg: float | None = Field(default=None, description="the last raw weigh-in")
    last_weigh_in: Date | None = None
    weigh_ins: int | None = None
    direction: Literal["lose", "gain"] | None = None
    week_start: Date | None = Field(default=None, description="Monday of the week shown")
    this_week: float | None = Field(
        default=None, description="workouts, minutes or days on target this week"
    )
    expected_by_now: float | None = Field(
        default=None, description="pro-rata share of the target due by the days already over"
    )
    days_left_in_week: int | None = None
    best_week_start: Date | None = None
    best_week: float | None = None
    daily_target_kcal: float | None = None
    tolerance_pct: float | None = None


class EvaluationOut(CamelModel):
    goal_id: UUID
    type: GoalType
    current: float | None
    target: float
    unit: Literal["kg", "workouts", "minutes", "days"]
    progress_pct: float = Field(ge=0, le=100)
    achieved: bool
    on_track: bool
    evidence: EvidenceOut


class EvaluationsOut(CamelModel):
    evaluated_at: datetime
    timezone: str
    goals: list[EvaluationOut]


class GoalChangeOut(CamelModel):
    goal_id: UUID
    type: GoalType
    status: GoalStatus
    progress_before: float | None
    progress_after: float
    achieved: bool = Field(description="reached now: completed, goals.goal.achieved.v1 published")


class AutoUpdateOut(CamelModel):
    evaluated_at: datetime
    changes: list[GoalChangeOut]


class StreakIn(CamelInput):
    goal_id: UUID | None = Field(default=None, description="one goal; default: every goal")


class StreakOut(CamelModel):
    goal_id: UUID
    type: GoalType
    period: Literal["day", "week"] = Field(
        description="days for calorie adherence, ISO weeks (Monday) for weekly goals"
    )
    current: int = Field(ge=0, description="successful periods in a row up to the last ended one")
    longest: int = Field(ge=0)
    last_successful_period: Date | None = Field(description="the day, or the week's Monday")
    in_progress_period: Date | None = Field(
        description="the period not judged yet (today / this week); null once the goal ended"
    )
    judged_periods: int = Field(ge=0)


class StreaksOut(CamelModel):
    timezone: str
    streaks: list[StreakOut]
