"""Goals service settings (env prefix ``GOALS_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings


class GoalsSettings(ServiceSettings):
    # extra="ignore": the launcher sets variables (S3, SMTP) every service gets.
    model_config = SettingsConfigDict(env_prefix="GOALS_", extra="ignore", frozen=True)

    service_name: str = "goals"
    db_schema: str = "goals"
    state_dir: str | None = None


@lru_cache
def get_settings() -> GoalsSettings:
    return GoalsSettings()
