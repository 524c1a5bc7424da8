"""Request/response models of /media."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, Field

from fitness_platform.schemas import CamelInput, CamelModel
from media.domain.content_types import ContentType
from media.domain.purposes import Purpose
from media.domain.uploads import FILENAME_MAX, filename_problem
from media.settings import S3_SINGLE_PUT_MAX_BYTES


def _plain_filename(value: str) -> str:
    problem = filename_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Filename = Annotated[
    str, Field(min_length=1, max_length=FILENAME_MAX), AfterValidator(_plain_filename)
]


class UploadIn(CamelInput):
    filename: Filename = Field(description="the client's file name: metadata only, never a key")
    content_type: ContentType
    size_bytes: int = Field(
        ge=1,
        le=S3_SINGLE_PUT_MAX_BYTES,
        description="exact size of the body to upload; the per-type limit is a setting "
        "(10 MiB images, 200 MiB video by default)",
    )
    purpose: Purpose


class UploadInstructions(CamelModel):
    """Send the bytes straight to S3: ``method`` on ``url`` with exactly these ``headers``
    (they are signed: another Content-Type or Content-Length is refused by the store)."""

    method: Literal["PUT"] = "PUT"
    url: str
    headers: dict[str, str]
    expires_at: datetime


class AssetOut(CamelModel):
    id: UUID
    purpose: Purpose
    content_type: ContentType
    size_bytes: int = Field(ge=1)
    filename: str
    status: Literal["pending", "ready"]
    created_at: datetime
    uploaded_at: datetime | None = None
    download_url: str | None = Field(
        default=None, description="presigned GET, only when ready; short-lived"
    )
    download_expires_at: datetime | None = None


class UploadOut(AssetOut):
    upload: UploadInstructions
    expires_at: datetime = Field(description="when the upload URL stops working")
