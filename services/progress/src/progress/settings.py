"""Progress service settings (env prefix ``PROGRESS_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings

LOCAL_S3_KEY = "fitness-local"


class ProgressSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROGRESS_", extra="ignore", frozen=True)

    service_name: str = "progress"
    db_schema: str = "progress"

    # S3 for the rendered report charts (nanio locally, any S3 in a cluster).
    s3_endpoint: str = "http://127.0.0.1:9000"
    s3_access_key: str = LOCAL_S3_KEY
    s3_secret_key: str = LOCAL_S3_KEY
    s3_region: str = "us-east-1"
    s3_bucket: str = "progress-reports"
    # Host the presigned URLs name when clients reach S3 by another address (None = endpoint).
    s3_public_endpoint: str | None = None
    chart_url_ttl_s: int = Field(default=3600, ge=60, le=7 * 86_400)
    # Weekly reports: built after the user's local Monday at this hour; checked this often.
    report_local_hour: int = Field(default=6, ge=0, le=23)
    report_check_interval_s: float = Field(default=900.0, gt=0)
    report_batch_size: int = Field(default=200, ge=1, le=10_000)
    state_dir: str | None = None

    @model_validator(mode="after")
    def _no_local_s3_keys_outside_dev(self) -> ProgressSettings:
        if not self.is_local and LOCAL_S3_KEY in (self.s3_access_key, self.s3_secret_key):
            raise ValueError("PROGRESS_S3_ACCESS_KEY / PROGRESS_S3_SECRET_KEY must be set")
        return self


@lru_cache
def get_settings() -> ProgressSettings:
    return ProgressSettings()
