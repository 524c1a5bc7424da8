"""Nutrition service settings (env prefix ``NUTRITION_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings


class NutritionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NUTRITION_", extra="ignore", frozen=True)

    service_name: str = "nutrition"
    db_schema: str = "nutrition"

    # /nutrition/calculate is a pure function of its input: a short TTL bounds staleness
    # after a formula change, and the key carries a version for deploys that change it.
    calc_cache_ttl_s: int = Field(default=300, ge=1, le=86_400)
    calc_cache_version: str = "v1"
    # Weekly achievement check in the worker: how often it wakes up to look for due weeks.
    achievements_check_interval_s: float = Field(default=3600.0, gt=0)
    # Consumer group of the worker on identity.user (DESIGN §5: one group per service).
    consumer_group: str = "nutrition"
    state_dir: str | None = None


@lru_cache
def get_settings() -> NutritionSettings:
    return NutritionSettings()
