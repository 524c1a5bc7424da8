"""Settings base every service subclasses (env prefix ``<NAME>_``, cached ``get_settings()``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["dev", "test", "prod"]

# Defaults that are fine on a laptop and dangerous anywhere else.
_DEV_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/fitness"
_DEV_REDIS_URL = "redis://127.0.0.1:6379/0"


class ServiceSettings(BaseSettings):
    """Common settings of a service; subclass with ``env_prefix="<NAME>_"``."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Environment = "dev"

    database_url: str = _DEV_DATABASE_URL
    db_schema: str = "public"
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_max_overflow: int = Field(default=5, ge=0, le=100)
    db_pool_recycle_s: int = Field(default=1800, ge=30)
    # Plain psycopg pool of hot read paths (``create_service_app(read_pool=True)`` only).
    db_read_pool_size: int = Field(default=10, ge=1, le=100)
    # How long a request waits for a read connection before a 503 (DB down or pool exhausted).
    db_read_pool_timeout_s: float = Field(default=5.0, gt=0)

    redis_url: str | None = _DEV_REDIS_URL
    redis_max_connections: int = Field(default=32, ge=1)
    # Socket connect/read timeout of Redis calls: a hung Redis fails a request fast instead of
    # holding it (and a pool slot) until the client gives up.
    redis_timeout_s: float = Field(default=0.5, gt=0)

    kafka_bootstrap_servers: str | None = None
    # tansu (the local broker) rejects idempotent producers; turn on against real Kafka.
    kafka_enable_idempotence: bool = False
    kafka_session_timeout_ms: int = Field(default=6000, ge=1000)
    kafka_heartbeat_interval_ms: int = Field(default=1000, ge=100)
    # Long poll. Kafka answers a waiting fetch as soon as a record arrives; tansu 0.6 answers an
    # idle consumer's fetch about half the wait later, the new record included (measured on the
    # local stack: 5000 ms → 2.5 s event latency, 600 → p95 256 ms at 50,000 events), and each
    # idle fetch costs the broker a little (idle tansu: 300 ms 2.9 %, 600 ms 2.0 %, 3000 ms 1.0 %
    # of a core for the fleet's nine consumers).
    kafka_fetch_max_wait_ms: int = Field(default=600, ge=0, le=30_000)
    # Records to step back from the committed offset when a partition is assigned. tansu
    # 0.6.0's source answers a fetch from inside a record batch with the *next* batch (fixed
    # upstream after 0.6.0; the calfkit build passed our test), which would skip the rest of a
    # relay batch on resume; stepping back by the largest batch (outbox_batch_size) re-reads a
    # few events the inbox drops. The launcher sets it for its tansu; 0 = Kafka.
    kafka_resume_rewind: int = Field(default=0, ge=0)

    jwt_issuer: str = "fitness-identity"
    jwt_audience: str = "fitness-api"
    jwks_url: str | None = None
    jwks_json: str | None = None
    jwks_cache_ttl_s: int = Field(default=300, ge=1)
    # How long a verified access token is remembered (0 = verify every request); see
    # ``fitness_platform.auth.CachedTokenVerifier``.
    token_cache_s: float = Field(default=60.0, ge=0, le=300)

    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)

    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    outbox_retention_hours: float = Field(default=72, gt=0)
    # The local memory-backed broker's durable log is the outbox: when the broker comes up
    # empty, the relay publishes the kept rows (outbox_retention_hours) again, in order.
    outbox_replay_on_broker_reset: bool = False
    consumer_max_attempts: int = Field(default=5, ge=1)
    relay_metrics_port: int | None = None
    # Worker/consumer processes' ``/metrics`` (``start_metrics_server``); falls back to the
    # relay's port when unset (a worker and a relay never share a pod/container).
    worker_metrics_port: int | None = None
    # Bind address of the relay's/worker's metrics server; None = 127.0.0.1 in dev/test,
    # 0.0.0.0 otherwise. docker-compose runs dev but must be scraped: it sets 0.0.0.0.
    metrics_host: str | None = None
    consumer_lag_interval_s: float = Field(default=15.0, gt=0)
    # Delta sync (``fitness_platform.sync``): how long deletions are remembered; an
    # ``updatedSince`` cursor older than this is a 410 (the client lists afresh).
    sync_tombstone_retention_days: float = Field(default=90, gt=0, le=3650)
    sync_prune_interval_s: float = Field(default=3600, gt=0)

    # Idempotency-Key (``fitness_platform.idempotency``): how long a POST's answer is kept, and
    # how long an unfinished one blocks retries with a 409 (longer than any request runs).
    idempotency_ttl_s: int = Field(default=86_400, ge=60, le=7 * 86_400)
    idempotency_lock_s: int = Field(default=60, ge=1, le=3600)
    # If-Match (``fitness_platform.sync_safety``): the per-object write lock's lifetime and how
    # long a writer waits for it before a 409.
    write_lock_ttl_s: float = Field(default=30.0, gt=0, le=600)
    write_lock_wait_s: float = Field(default=5.0, ge=0, le=60)

    # What the production validator insists on; a subclass drops what it does not use, e.g.
    # identity (verifies with its own keys) ``requires = frozenset({"database", "redis", "kafka"})``.
    requires: ClassVar[frozenset[str]] = frozenset({"database", "redis", "kafka", "jwks"})

    @property
    def is_local(self) -> bool:
        return self.environment in ("dev", "test")

    @property
    def resolved_metrics_host(self) -> str:
        if self.metrics_host:
            return self.metrics_host
        return "127.0.0.1" if self.is_local else "0.0.0.0"

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> ServiceSettings:
        if self.is_local:
            return self
        problems = []
        requires = self.requires
        if "database" in requires:
            if self.database_url == _DEV_DATABASE_URL:
                problems.append("database_url is the local default")
            if self.db_schema == "public":
                problems.append("db_schema must name the service's own schema")
        if "redis" in requires and self.redis_url == _DEV_REDIS_URL:
            problems.append("redis_url is the local default")
        if "jwks" in requires and not (self.jwks_url or self.jwks_json):
            problems.append("jwks_url or jwks_json must be set")
        if "kafka" in requires and not self.kafka_bootstrap_servers:
            problems.append("kafka_bootstrap_servers must be set")
        if problems:
            raise ValueError(
                f"unsafe settings for environment={self.environment}: " + "; ".join(problems)
            )
        return self
