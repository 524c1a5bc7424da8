"""Weight log: one entry per user and local day, with the trend stored beside the raw value."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Date, DateTime, Float, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from fitness_platform.sync import change_xid_column
from progress.db import Base


class WeightEntry(Base):
    __tablename__ = "weights"
    # GET /progress/weight?updatedSince= (fitness_platform.sync).
    __table_args__ = (Index("ix_weights_user_id_change_xid", "user_id", "change_xid"),)

    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    weight_kg: Mapped[float] = mapped_column(Float)
    body_fat_pct: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(500))
    # Trend at this day (Hacker's Diet), rewritten for later days whenever an earlier one changes:
    # reads stay a plain range scan.
    trend_kg: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The last writing transaction, set by the delta-sync trigger (never by this code).
    change_xid: Mapped[int] = change_xid_column()
