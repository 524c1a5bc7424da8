"""Stored 7-day personal meal plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, DateTime, Index, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nutrition.db import Base


class PersonalPlan(Base):
    __tablename__ = "personal_plans"
    __table_args__ = (Index("ix_personal_plans_user_created", "user_id", "created_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    start_date: Mapped[date] = mapped_column(Date)
    # The request parameters and the generated plan body, as returned on the wire.
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    plan: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
