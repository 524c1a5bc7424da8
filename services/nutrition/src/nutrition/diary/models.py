"""Food diary: what a user ate, nutrients snapshotted at logging time."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Date, DateTime, Float, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from fitness_platform.sync import change_xid_column
from nutrition.db import Base


class DiaryEntry(Base):
    __tablename__ = "diary_entries"
    __table_args__ = (
        Index("ix_diary_entries_user_day", "user_id", "day"),
        # ?updatedSince= (fitness_platform.sync).
        Index("ix_diary_entries_user_id_change_xid", "user_id", "change_xid"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    meal_slot: Mapped[str] = mapped_column(String(16))
    # No FK: a later edit/removal of a catalogue food must not rewrite or break history.
    food_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    grams: Mapped[float] = mapped_column(Float)
    kcal: Mapped[float] = mapped_column(Float)
    protein_g: Mapped[float] = mapped_column(Float)
    fat_g: Mapped[float] = mapped_column(Float)
    carbs_g: Mapped[float] = mapped_column(Float)
    fiber_g: Mapped[float | None] = mapped_column(Float)
    sodium_mg: Mapped[float | None] = mapped_column(Float)
    sat_fat_g: Mapped[float | None] = mapped_column(Float)
    sugars_g: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The last writing transaction, set by the delta-sync trigger (never by this code).
    change_xid: Mapped[int] = change_xid_column()
