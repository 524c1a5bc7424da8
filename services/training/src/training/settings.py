"""Training service settings (env prefix ``TRAINING_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings


class TrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore", frozen=True)

    service_name: str = "training"
    db_schema: str = "training"
    state_dir: str | None = None


@lru_cache
def get_settings() -> TrainingSettings:
    return TrainingSettings()
