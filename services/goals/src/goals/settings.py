"""Goals service settings (env prefix ``GOALS_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings


class GoalsSettings(ServiceSettings):
    # extra="ignore": the launcher sets variables (S3, SMTP) every service gets.
    model_config = SettingsConfigDict(env_prefix="GOALS_", extra="ignore", frozen=True)

    service_name: str = "goals"
    db_schema: str = "goals"
    state_dir: str | None = None
    # Consumer inbox ids are kept longer than the topics' retention (a replay must not apply an
    # event twice) and then pruned by the consumer process every ``inbox_prune_interval_s``.
    inbox_retention_days: int = Field(default=14, ge=1, le=3650)
    inbox_prune_interval_s: float = Field(default=3600.0, gt=0)


@lru_cache
def get_settings() -> GoalsSettings:
    return GoalsSettings()
