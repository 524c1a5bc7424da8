"""Media service settings (env prefix ``MEDIA_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings

MIB = 1024 * 1024
# MinIO's well-known default credentials: fine on a laptop, refused anywhere else.
_DEV_S3_KEY = "minioadmin"
# S3's limit for one PUT (a presigned single-part upload): 5 GiB.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html
S3_SINGLE_PUT_MAX_BYTES = 5 * 1024 * MIB


class MediaSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIA_", extra="ignore", frozen=True)

    service_name: str = "media"
    db_schema: str = "media"

    # Where the service talks to S3 (nanio locally, MinIO in compose, any S3 in a cluster).
    s3_endpoint: str = "http://127.0.0.1:9000"
    s3_access_key: str = _DEV_S3_KEY
    s3_secret_key: str = _DEV_S3_KEY
    # Fixed so that presigning never asks S3 for the bucket's location (no I/O per request).
    s3_region: str = "us-east-1"
    # The endpoint clients reach (presigned URLs are signed for its host); None = s3_endpoint.
    s3_public_endpoint: str | None = None
    bucket: str = Field(default="fitness-media", min_length=3, max_length=63)

    # Declared sizes allowed per kind (the issue: 10 MiB for images, 200 MiB for video).
    max_image_bytes: int = Field(default=10 * MIB, ge=1, le=S3_SINGLE_PUT_MAX_BYTES)
    max_video_bytes: int = Field(default=200 * MIB, ge=1, le=S3_SINGLE_PUT_MAX_BYTES)
    upload_url_ttl_s: int = Field(default=15 * 60, ge=1, le=7 * 24 * 3600)
    download_url_ttl_s: int = Field(default=5 * 60, ge=1, le=7 * 24 * 3600)

    # Worker: pending assets older than this are deleted with their objects.
    pending_ttl_s: int = Field(default=24 * 3600, ge=60)
    # An object without a row is removed only once older than this, so an upload in flight
    # (its row is committed before the URL is handed out, but clocks and retries vary) is safe.
    orphan_grace_s: int = Field(default=3600, ge=60)
    cleanup_interval_s: float = Field(default=300.0, gt=0)
    cleanup_batch_size: int = Field(default=200, ge=1, le=10_000)
    # Processed event ids are kept longer than the topics' retention (Kafka's default is 7 days:
    # log.retention.hours=168), else a replayed event would run twice.
    inbox_retention_days: int = Field(default=14, ge=1)
    state_dir: str | None = None

    @model_validator(mode="after")
    def _no_default_s3_credentials_outside_dev(self) -> MediaSettings:
        if not self.is_local and self.s3_secret_key == _DEV_S3_KEY:
            raise ValueError("MEDIA_S3_SECRET_KEY must be set outside dev/test")
        return self


@lru_cache
def get_settings() -> MediaSettings:
    return MediaSettings()
