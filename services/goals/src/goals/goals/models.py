"""The ``goals`` table, and the row shape the lean read path returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, Date, DateTime, Float, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from fitness_platform.sync import change_xid_column
from goals.db import Base


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_user_created", "user_id", "created_at"),
        # GET /goals?updatedSince= (fitness_platform.sync).
        Index("ix_goals_user_id_change_xid", "user_id", "change_xid"),
        # "One active goal per type for weight targets" (issue 11), enforced by the database
        # so two concurrent creates cannot both succeed.
        Index(
            "uq_goals_one_active_weight_target",
            "user_id",
            unique=True,
            postgresql_where=text("type = 'weight_target' AND status = 'active'"),
        ),
        CheckConstraint(
            "type IN ('weight_target', 'workouts_per_week', 'weekly_active_minutes', "
            "'calorie_adherence')",
            name="type",
        ),
        CheckConstraint("status IN ('active', 'paused', 'completed', 'abandoned')", name="status"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        # achieved_at is set once, with the move to completed (the achieved event's guard).
        CheckConstraint("achieved_at IS NULL OR status = 'completed'", name="achieved"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    target_value: Mapped[float] = mapped_column(Float)
    tolerance_pct: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(8))
    # Weight targets: the current weight when the goal was set (None: none known then).
    start_weight_kg: Mapped[float | None] = mapped_column(Float)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    progress_pct: Mapped[float | None] = mapped_column(Float)
    current_value: Mapped[float | None] = mapped_column(Float)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    achieved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The last writing transaction, set by the delta-sync trigger (never by this code).
    change_xid: Mapped[int] = change_xid_column()


@dataclass(frozen=True, slots=True)
class GoalRecord:
    """A ``goals`` row as the read pool returns it (``repository.read_*``)."""

    id: UUID
    user_id: UUID
    type: str
    title: str
    status: str
    target_value: float
    tolerance_pct: float | None
    direction: str | None
    start_weight_kg: float | None
    start_date: date
    end_date: date | None
    progress_pct: float | None
    current_value: float | None
    evaluated_at: datetime | None
    achieved_at: datetime | None
    created_at: datetime
    updated_at: datetime
