"""Identity settings: env prefix ``IDENTITY_``; unsafe defaults refused outside dev/test."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from fitness_platform.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", frozen=True)

    service_name: str = "identity"
    # No "jwks": identity verifies tokens with its own keys, it never fetches a JWKS.
    requires: ClassVar[frozenset[str]] = frozenset({"database", "redis", "kafka"})

    # Signing keys, PEM (PKCS#8 Ed25519) or private JWK JSON strings: the first signs, all are
    # published in the JWKS (rotation = prepend a new key, drop the old one after 15 min).
    # Given as a JSON list in the environment.
    signing_keys: list[str] = Field(default_factory=list)
    # dev/test only: where a generated key is kept (mode 600) and reused across restarts.
    keys_dir: Path | None = None
    state_dir: Path | None = None

    access_token_ttl_s: int = Field(default=15 * 60, ge=60, le=3600)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, ge=3600)

    # OWASP Argon2id parameters (see identity.passwords); settings so a change triggers rehash.
    argon2_memory_cost_kib: int = Field(default=19 * 1024, ge=8 * 1024)
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_parallelism: int = Field(default=1, ge=1)
    argon2_max_concurrency: int = Field(default=4, ge=1, le=64)

    # Email: the worker sends ``email_outbox`` rows by SMTP (locally the stack's sink).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # "none" (local sink), "starttls" (587) or "tls" (implicit TLS, 465).
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    email_from: str = "Fitness <no-reply@fitness.example>"
    # Links in mails point at the app: <base>/verify-email?token=..., <base>/reset-password?token=...
    email_link_base_url: str = "https://app.fitness.example"
    email_batch_size: int = Field(default=20, ge=1, le=500)
    email_poll_interval_s: float = Field(default=2.0, gt=0)
    email_max_attempts: int = Field(default=8, ge=1)
    email_retry_base_s: float = Field(default=30.0, gt=0)
    email_retry_max_s: float = Field(default=3600.0, gt=0)

    email_verification_ttl_s: int = Field(default=48 * 3600, ge=60)
    # DESIGN §4: a reset token lives 30 minutes.
    password_reset_ttl_s: int = Field(default=30 * 60, ge=1)
    verification_resend_limit: int = Field(default=3, ge=1)
    verification_resend_window_s: int = Field(default=3600, ge=1)

    # GDPR: a deactivated account is purged after this long (the worker's hard-delete job).
    deletion_grace_period_s: int = Field(default=30 * 24 * 3600, ge=0)
    purge_interval_s: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _require_keys_outside_dev(self) -> IdentitySettings:
        if not self.is_local and not self.signing_keys:
            raise ValueError("IDENTITY_SIGNING_KEYS must be set outside dev/test")
        return self

    def resolved_keys_dir(self) -> Path:
        """Folder for generated dev keys: ``keys_dir``, else ``<state_dir>/keys``, else .local."""
        if self.keys_dir is not None:
            return self.keys_dir
        if self.state_dir is not None:
            return self.state_dir / "keys"
        return Path(".local/identity/keys")


@cache
def get_settings() -> IdentitySettings:
    return IdentitySettings()
