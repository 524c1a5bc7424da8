"""Workouts: what a user did, with the calorie estimate and the weight it was based on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, DateTime, Float, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fitness_platform.sync import change_xid_column
from training.db import Base


class Workout(Base):
    __tablename__ = "workouts"
    __table_args__ = (
        # GET /workouts: a user's workouts newest first (the key read).
        Index("ix_workouts_user_started", "user_id", "started_at", "id"),
        # Re-estimation after a weight change looks workouts up by the user's local day.
        Index("ix_workouts_user_local_date", "user_id", "local_date"),
        # GET /workouts?updatedSince= (fitness_platform.sync).
        Index("ix_workouts_user_id_change_xid", "user_id", "change_xid"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    title: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The day it started in the user's timezone when written (weights are per local day).
    local_date: Mapped[date] = mapped_column(Date)
    duration_min: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # [{"exerciseId", "name", "category", "met", "durationMin", "sets", "reps", "weightKg",
    #   "distanceKm", "notes"}]: name/category/MET snapshotted at write time.
    exercises: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    calories_burned: Mapped[float | None] = mapped_column(Float)
    calories_source: Mapped[str | None] = mapped_column(String(16))
    # {"weightKg", "weightSource", "weightMeasuredOn", "totalKcal", "exercises": [...]}, or null.
    calorie_estimate: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The last writing transaction, set by the delta-sync trigger (never by this code).
    change_xid: Mapped[int] = change_xid_column()
