"""Where each piece of a stack listens: external URLs from the environment or our own ports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from fitness_stack import redis, s3
from fitness_stack.ports import Ports
from fitness_stack.postgres import DATABASE, SUPERUSER, libpq_url, service_url, with_database
from fitness_stack.state import Secrets


@dataclass(frozen=True)
class External:
    """Backing services given by the environment; the launcher does not start those."""

    database_url: str | None = None
    redis_url: str | None = None
    kafka_bootstrap: str | None = None
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> External:
        def get(name: str) -> str | None:
            return env.get(name) or None

        smtp_host = get("SMTP_HOST")
        return cls(
            database_url=_libpq(get("DATABASE_URL")),
            redis_url=get("REDIS_URL"),
            kafka_bootstrap=get("KAFKA_BOOTSTRAP_SERVERS"),
            s3_endpoint=get("S3_ENDPOINT"),
            s3_access_key=get("S3_ACCESS_KEY"),
            s3_secret_key=get("S3_SECRET_KEY"),
            smtp_host=smtp_host,
            smtp_port=int(env.get("SMTP_PORT") or 25) if smtp_host else None,
        )


def _libpq(url: str | None) -> str | None:
    """Accept SQLAlchemy-style `postgresql+psycopg://` too; psycopg wants the libpq form."""
    if url is None:
        return None
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme.startswith("postgres") else url


@dataclass(frozen=True)
class Endpoints:
    """Everything a client (a test, a developer) needs to reach the stack."""

    pg_admin_url: str  # libpq URL of a superuser, database `fitness`
    redis_url: str
    kafka_bootstrap: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    smtp_host: str
    smtp_port: int
    smtp_maildir: Path | None  # None when an external SMTP server is used
    gateway_url: str
    service_urls: dict[str, str]
    service_database_urls: dict[str, str] = field(default_factory=dict)
    logs_dir: Path | None = None

    def test_env(self) -> dict[str, str]:
        """The FITNESS_TEST_* variables the root conftest exports (COMMON.md)."""
        return {
            "FITNESS_TEST_PG_ADMIN_URL": self.pg_admin_url,
            "FITNESS_TEST_REDIS_URL": self.redis_url,
            "FITNESS_TEST_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "FITNESS_TEST_S3_ENDPOINT": self.s3_endpoint,
            "FITNESS_TEST_S3_ACCESS_KEY": self.s3_access_key,
            "FITNESS_TEST_S3_SECRET_KEY": self.s3_secret_key,
            "FITNESS_TEST_SMTP_HOST": self.smtp_host,
            "FITNESS_TEST_SMTP_PORT": str(self.smtp_port),
            "FITNESS_TEST_SMTP_MAILDIR": str(self.smtp_maildir or ""),
        }


def resolve(
    ports: Ports, external: External, secrets: Secrets, maildir: Path, logs: Path
) -> Endpoints:

    if external.database_url:
        admin = with_database(external.database_url, DATABASE)
    else:
        admin = libpq_url(
            SUPERUSER, secrets.postgres_superuser, "127.0.0.1", ports.postgres, DATABASE
        )
    if external.s3_endpoint:
        s3_endpoint = external.s3_endpoint.rstrip("/")
        access = external.s3_access_key or ""
        secret = external.s3_secret_key or ""
    else:
        s3_endpoint, access, secret = (
            s3.endpoint(ports.s3),
            secrets.s3_access_key,
            secrets.s3_secret_key,
        )
    services = {n: f"http://127.0.0.1:{p}" for n, p in ports.services.items() if n != "gateway"}
    return Endpoints(
        pg_admin_url=admin,
        redis_url=external.redis_url or redis.url(ports.redis),
        kafka_bootstrap=external.kafka_bootstrap or f"127.0.0.1:{ports.kafka}",
        s3_endpoint=s3_endpoint,
        s3_access_key=access,
        s3_secret_key=secret,
        smtp_host=external.smtp_host or "127.0.0.1",
        smtp_port=external.smtp_port or ports.smtp,
        smtp_maildir=None if external.smtp_host else maildir,
        gateway_url=f"http://127.0.0.1:{ports.services['gateway']}",
        service_urls=services,
        service_database_urls={
            name: service_url(admin, name, pw) for name, pw in secrets.service_roles.items()
        },
        logs_dir=logs,
    )


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))
