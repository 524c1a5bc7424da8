"""Read models of other services' events: workouts (training), daily intake and targets
(nutrition). Each row carries the time of the event applied last, so a stale one is ignored."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Boolean, Date, DateTime, Float, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from progress.db import Base


class Workout(Base):
    __tablename__ = "workouts"
    __table_args__ = (Index("ix_workouts_user_date", "user_id", "local_date"),)

    workout_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    local_date: Mapped[date] = mapped_column(Date)
    duration_min: Mapped[int] = mapped_column(Integer)
    kcal: Mapped[float | None] = mapped_column(Float)
    # A deleted workout stays as a tombstone so a late "updated" cannot bring it back.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IntakeDay(Base):
    __tablename__ = "intake_days"

    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kcal: Mapped[float] = mapped_column(Float)
    protein_g: Mapped[float] = mapped_column(Float)
    fat_g: Mapped[float] = mapped_column(Float)
    carbs_g: Mapped[float] = mapped_column(Float)
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NutritionTarget(Base):
    __tablename__ = "nutrition_targets"

    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    daily_calories: Mapped[float] = mapped_column(Float)
    tdee: Mapped[float] = mapped_column(Float)
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
