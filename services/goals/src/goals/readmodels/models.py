"""Read models of other services' events: weigh-ins, workouts, daily intake, calorie targets."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Date, DateTime, Float, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from goals.db import Base


class WeightEntry(Base):
    """progress.weight: the raw weigh-in per local day (the trend is computed here)."""

    __tablename__ = "weight_entries"

    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    weight_kg: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WorkoutEntry(Base):
    """training.workout, keyed by workout id; ``deleted_at`` is a tombstone (see
    ``domain/workout_log.py``: a late update must not bring a deleted workout back)."""

    __tablename__ = "workouts"
    __table_args__ = (Index("ix_workouts_user_day", "user_id", "local_date"),)

    workout_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    local_date: Mapped[date] = mapped_column(Date)
    duration_min: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IntakeDay(Base):
    """nutrition.intake: the latest total of a local day (each event carries the day's total)."""

    __tablename__ = "intake_days"

    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kcal: Mapped[float] = mapped_column(Float)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CalorieTarget(Base):
    """nutrition.targets: every calculation, so a past day is judged against its own target."""

    __tablename__ = "calorie_targets"
    __table_args__ = (Index("ix_calorie_targets_user_at", "user_id", "calculated_at"),)

    calculation_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    daily_calories: Mapped[float] = mapped_column(Float)
    calculated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
