"""Gateway settings (env prefix ``GATEWAY_``); every limit and route is a setting, not a constant."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, model_validator
from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings

_DEV_REDIS_URL = "redis://127.0.0.1:6379/0"  # the platform's local default


def _check_rate(value: str) -> str:
    # Validated here so a typo fails at start-up, not on the first request.
    from gateway.ratelimit import parse_rate

    parse_rate(value)
    return value


# "N/S" = N requests per S seconds (e.g. "10/60"); "off" disables that limit.
RateSetting = Annotated[str, AfterValidator(_check_rate)]

# DESIGN §1: which service owns which public path prefix.
DEFAULT_ROUTES: dict[str, str] = {
    "/auth": "identity",
    "/users": "identity",
    "/admin/users": "identity",
    "/admin/metrics": "identity",
    "/admin/audit": "identity",
    "/.well-known/jwks.json": "identity",
    "/nutrition": "nutrition",
    "/admin/content/foods": "nutrition",
    "/admin/content/meal-templates": "nutrition",
    "/workouts": "training",
    "/exercises": "training",
    "/admin/content/workout-templates": "training",
    "/progress": "progress",
    "/goals": "goals",
    "/media": "media",
}

# Reachable without a token (DESIGN §4); the gateway's own /docs, /openapi.json, /health/*,
# /metrics never need one either.
DEFAULT_PUBLIC_ROUTES: list[str] = [
    "POST /auth/register",
    "POST /auth/login",
    "POST /auth/refresh",
    "POST /auth/password-reset/request",
    "POST /auth/password-reset/confirm",
    "POST /auth/verify-email",
    "GET /.well-known/jwks.json",
    "HEAD /.well-known/jwks.json",
]

_DEFAULT_UPSTREAMS: dict[str, str] = {
    "identity": "http://127.0.0.1:8001",
    "nutrition": "http://127.0.0.1:8002",
    "training": "http://127.0.0.1:8003",
    "progress": "http://127.0.0.1:8004",
    "goals": "http://127.0.0.1:8005",
    "media": "http://127.0.0.1:8006",
}


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway"
    # No database or Kafka: only Redis and the JWKS (the validator below checks those).
    requires: ClassVar[frozenset[str]] = frozenset({"redis", "jwks"})

    # JSON objects in the environment, e.g. GATEWAY_UPSTREAMS='{"identity": "http://127.0.0.1:8001"}'.
    upstreams: dict[str, str] = Field(default_factory=lambda: dict(_DEFAULT_UPSTREAMS))
    routes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_ROUTES))
    public_routes: list[str] = Field(default_factory=lambda: list(DEFAULT_PUBLIC_ROUTES))
    admin_prefix: str = "/admin"

    # Upstream calls: connect failure -> 503, no response bytes for this long -> 504.
    upstream_connect_timeout_s: float = Field(default=2.0, gt=0)
    upstream_timeout_s: float = Field(default=30.0, gt=0)
    upstream_pool_size: int = Field(default=256, ge=1)
    # Below uvicorn's 5 s keep-alive, so an idle pooled socket is dropped by us first.
    upstream_keepalive_s: float = Field(default=4.0, gt=0)

    # Rate limits, "N/S" (GCRA in Redis: N requests per S seconds with a burst of N).
    rate_login_per_ip: RateSetting = "20/60"
    rate_login_per_account: RateSetting = "5/60"
    rate_register_per_ip: RateSetting = "10/3600"
    rate_register_per_account: RateSetting = "3/3600"
    rate_password_reset_per_ip: RateSetting = "10/3600"  # noqa: S105 - a rate
    rate_password_reset_per_account: RateSetting = "3/3600"  # noqa: S105 - a rate
    rate_default_per_user: RateSetting = "600/60"
    rate_default_per_ip: RateSetting = "120/60"
    # A revoked token must not work; when Redis cannot answer, refuse (503) unless this is set.
    denylist_fail_open: bool = False
    redis_timeout_s: float = Field(default=0.5, gt=0)

    openapi_cache_s: float = Field(default=30.0, ge=0)
    openapi_fetch_timeout_s: float = Field(default=3.0, gt=0)
    upstream_health_cache_s: float = Field(default=5.0, ge=0)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> GatewaySettings:
        # Replaces the base check: the gateway has no database or Kafka, only Redis and JWKS.
        # A route whose service has no upstream URL is allowed (a partial fleet): it answers 503.
        for prefix in self.routes:
            if not prefix.startswith("/"):
                raise ValueError(f"route prefix {prefix!r} must start with '/'")
        for service, url in self.upstreams.items():
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"upstream {service!r} must be an http(s) URL, not {url!r}")
        for entry in self.public_routes:
            method, _, path = entry.partition(" ")
            if not method.isalpha() or not path.startswith("/"):
                raise ValueError(f"public route {entry!r} must look like 'POST /auth/login'")
        if self.is_local:
            return self
        problems = []
        if self.redis_url in (None, _DEV_REDIS_URL):
            problems.append("redis_url must be set")
        if not (self.jwks_url or self.jwks_json):
            problems.append("jwks_url or jwks_json must be set")
        if problems:
            raise ValueError(
                f"unsafe settings for environment={self.environment}: " + "; ".join(problems)
            )
        return self


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
