"""Events published by the media service on topic ``media.asset`` (keyed by user id).

Other services refer to media only by ``asset_id``; bytes never travel in events.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from fitness_contracts import topics
from fitness_contracts.base import IntegrationEvent

Purpose = Literal["avatar", "progress_photo", "workout"]


class AssetUploadedV1(IntegrationEvent):
    """The upload was confirmed: the object exists, its size, type and magic bytes match."""

    event_type: ClassVar[str] = "media.asset.uploaded.v1"
    topic: ClassVar[str] = topics.MEDIA_ASSET

    asset_id: UUID
    user_id: UUID
    purpose: Purpose
    content_type: str
    size_bytes: int
    uploaded_at: datetime


class AssetDeletedV1(IntegrationEvent):
    event_type: ClassVar[str] = "media.asset.deleted.v1"
    topic: ClassVar[str] = topics.MEDIA_ASSET

    asset_id: UUID
    user_id: UUID
    reason: Literal["user", "expired", "orphaned", "account_deleted"] = "user"
    deleted_at: datetime
