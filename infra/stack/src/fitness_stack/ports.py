"""Port plan of the local stack: fixed defaults shifted by one offset."""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass, fields

# Service API ports as in DESIGN §2/COMMON.md; backing ports far from the usual defaults so a
# system PostgreSQL/Redis on 5432/6379 never clashes with ours.
SERVICE_PORTS: dict[str, int] = {
    "gateway": 8000,
    "identity": 8001,
    "nutrition": 8002,
    "training": 8003,
    "progress": 8004,
    "goals": 8005,
    "media": 8006,
}
BACKING_PORTS: dict[str, int] = {
    "postgres": 55432,
    "redis": 56379,
    "kafka": 59092,
    "s3": 59000,
    "smtp": 51025,
}
MAX_OFFSET = 65535 - max(BACKING_PORTS.values())


@dataclass(frozen=True)
class Ports:
    """Every port the stack listens on, for one offset."""

    postgres: int
    redis: int
    kafka: int
    s3: int
    smtp: int
    services: dict[str, int]

    @classmethod
    def for_offset(cls, offset: int = 0) -> Ports:
        if not -1000 <= offset <= MAX_OFFSET:
            raise ValueError(f"port offset must be between -1000 and {MAX_OFFSET}, got {offset}")
        backing = {name: port + offset for name, port in BACKING_PORTS.items()}
        services = {name: port + offset for name, port in SERVICE_PORTS.items()}
        return cls(services=services, **backing)

    def backing(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "services"}

    def all(self) -> list[int]:
        return [*self.backing().values(), *self.services.values()]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on host:port (we can bind it ourselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the servers do: connections in TIME_WAIT from a previous run don't block a restart,
        # a listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port_offset(*, backing_only: bool = False, attempts: int = 200) -> int:
    """Pick a random non-zero offset whose ports are all free right now.

    Random (not sequential) so two test sessions started at the same moment rarely pick the
    same offset; the `make up` offset 0 is never chosen.
    """
    rng = random.SystemRandom()
    for _ in range(attempts):
        offset = rng.randint(1000, MAX_OFFSET)
        ports = Ports.for_offset(offset)
        wanted = list(ports.backing().values()) if backing_only else ports.all()
        if all(port_is_free(p) for p in wanted):
            return offset
    raise RuntimeError("no port offset with all ports free found")
