"""Saved energy/macro target calculations (one row per save or profile-driven recalculation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Float, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fitness_platform.sync import change_xid_column
from nutrition.db import Base


class Calculation(Base):
    __tablename__ = "calculations"
    __table_args__ = (
        Index("ix_calculations_user_created", "user_id", "created_at"),
        # ?updatedSince= (fitness_platform.sync).
        Index("ix_calculations_user_id_change_xid", "user_id", "change_xid"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    reason: Mapped[str] = mapped_column(String(32))
    # The validated request (camelCase wire form) and the full response body, as computed.
    input: Mapped[dict[str, Any]] = mapped_column(JSONB)
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)
    daily_calories: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The last writing transaction, set by the delta-sync trigger (never by this code).
    change_xid: Mapped[int] = change_xid_column()
