"""The fleet table: which processes each service runs, which are built, and their env."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from fitness_stack.state import SERVICES

JWT_ISSUER = "fitness-identity"
JWT_AUDIENCE = "fitness-api"
GATEWAY = "gateway"


@dataclass(frozen=True)
class FleetProcess:
    """One process of the fleet: `name` is also its log/PID file name."""

    name: str
    service: str
    kind: str  # "api" | "relay" | "worker" | "consumer"
    argv: tuple[str, ...]
    port: int | None = None


def _module_exists(module: str, finder: Callable[[str], object | None]) -> bool:
    try:
        return finder(module) is not None
    except (ImportError, ValueError):
        return False


def default_finder(module: str) -> object | None:
    return importlib.util.find_spec(module)


def api_argv(package: str, port: int) -> tuple[str, ...]:
    return (
        sys.executable,
        "-m",
        "fitness_stack.quiet_uvicorn",  # uvicorn with a 1 s main-loop tick (see that module)
        f"{package}.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
    )


def discover(
    service_ports: dict[str, int],
    finder: Callable[[str], object | None] = default_finder,
    only: Collection[str] | None = None,
) -> list[FleetProcess]:
    """Processes of every built service (package has `main`), then the gateway.

    A service counts as built when `<name>.main` can be found; its relay, worker and consumer run only
    when `<name>.relay` / `<name>.worker` / `<name>.consumer` exist. `only` limits the services (not the gateway).
    """
    fleet: list[FleetProcess] = []
    for service in SERVICES:
        if only is not None and service not in only:
            continue
        if not _module_exists(f"{service}.main", finder):
            continue
        port = service_ports[service]
        fleet.append(FleetProcess(service, service, "api", api_argv(service, port), port))
        for kind in ("relay", "worker", "consumer"):
            if _module_exists(f"{service}.{kind}", finder):
                argv = (sys.executable, "-m", f"{service}.{kind}")
                fleet.append(FleetProcess(f"{service}-{kind}", service, kind, argv))
    if _module_exists(f"{GATEWAY}.main", finder):
        port = service_ports[GATEWAY]
        fleet.append(FleetProcess(GATEWAY, GATEWAY, "api", api_argv(GATEWAY, port), port))
    return fleet


@dataclass(frozen=True)
class SharedEnv:
    """What every service is told about the backing services."""

    redis_url: str
    kafka_bootstrap: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    smtp_host: str
    smtp_port: int
    identity_url: str
    # Storage of the stack's own tansu ("memory" | "s3"), None for an external Kafka.
    tansu_storage: str | None = None


# tansu 0.6 answers a fetch from inside a record batch with the next batch: consumers step back
# by the largest batch a relay writes (its outbox_batch_size) when a partition is assigned.
TANSU_RELAY_BATCH = 100
# The memory-backed broker's history is the outbox: keep published rows a week (Kafka's default
# retention) so a new consumer group still sees that much after a restart.
MEMORY_BROKER_RETENTION_HOURS = 168
RELAY_FALLBACK_POLL_S = 60


def service_env(
    service: str,
    shared: SharedEnv,
    *,
    state_dir: Path,
    database_url: str | None = None,
    keys_dir: Path | None = None,
    upstreams: dict[str, str] | None = None,
) -> dict[str, str]:
    """`<NAME>_*` variables for one service (COMMON.md conventions)."""
    p = service.upper() + "_"
    env = {
        p + "ENVIRONMENT": "dev",
        p + "REDIS_URL": shared.redis_url,
        p + "KAFKA_BOOTSTRAP_SERVERS": shared.kafka_bootstrap,
        p + "JWKS_URL": f"{shared.identity_url}/.well-known/jwks.json",
        p + "JWT_ISSUER": JWT_ISSUER,
        p + "JWT_AUDIENCE": JWT_AUDIENCE,
        p + "S3_ENDPOINT": shared.s3_endpoint,
        p + "S3_ACCESS_KEY": shared.s3_access_key,
        p + "S3_SECRET_KEY": shared.s3_secret_key,
        p + "SMTP_HOST": shared.smtp_host,
        p + "SMTP_PORT": str(shared.smtp_port),
        p + "STATE_DIR": str(state_dir),
    }
    if shared.tansu_storage is not None:
        # LISTEN/NOTIFY wakes the relays (and an idle broker connection tells them of a broker
        # restart); polling is only the fallback for a lost notification. Each idle round
        # costs ~8 ms of CPU plus a broker request: every 5 s was 0.4 % of a core per relay.
        env[p + "OUTBOX_POLL_INTERVAL_S"] = str(RELAY_FALLBACK_POLL_S)
        env[p + "OUTBOX_BATCH_SIZE"] = str(TANSU_RELAY_BATCH)
        env[p + "KAFKA_RESUME_REWIND"] = str(TANSU_RELAY_BATCH)
    if shared.tansu_storage == "memory":
        env[p + "OUTBOX_REPLAY_ON_BROKER_RESET"] = "true"
        env[p + "OUTBOX_RETENTION_HOURS"] = str(MEMORY_BROKER_RETENTION_HOURS)
    if database_url is not None:
        env[p + "DATABASE_URL"] = database_url
        env[p + "DB_SCHEMA"] = service
    if keys_dir is not None:
        env[p + "KEYS_DIR"] = str(keys_dir)
    if upstreams is not None:
        env[p + "UPSTREAMS"] = json.dumps(upstreams)
    return env
