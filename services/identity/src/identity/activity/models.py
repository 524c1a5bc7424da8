"""The ``user_activity`` table: one row per user and UTC day on which the user did anything."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from identity.db import Base


class UserActivity(Base):
    __tablename__ = "user_activity"

    # Cascade: erasing an account (GDPR) erases its activity; metrics of the past lose that user.
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)

    __table_args__ = (Index("ix_user_activity_day", "day"),)
