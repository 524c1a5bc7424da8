"""Asset metadata; the bytes live in S3 under ``object_key``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from fitness_platform.sync import change_xid_column
from media.db import Base


class AssetStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (
        Index("ix_assets_user_created", "user_id", "created_at"),
        # GET /media?updatedSince= (fitness_platform.sync).
        Index("ix_assets_user_id_change_xid", "user_id", "change_xid"),
        # The worker's scan for expired uploads.
        Index("ix_assets_pending_created", "created_at", postgresql_where="status = 'pending'"),
        CheckConstraint("status IN ('pending', 'ready')", name="status"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column()
    purpose: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(200))
    object_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=AssetStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last writing transaction, set by the delta-sync trigger (never by this code).
    change_xid: Mapped[int] = change_xid_column()


@dataclass(frozen=True, slots=True)
class AssetRecord:
    """One row as the lean read path returns it (field names = column names)."""

    id: UUID
    user_id: UUID
    purpose: str
    content_type: str
    size_bytes: int
    filename: str
    object_key: str
    status: str
    created_at: datetime
    uploaded_at: datetime | None
