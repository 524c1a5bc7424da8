"""S3 from the nanio wheel (SigV4-checking S3 API on a folder)."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from minio import Minio


def server_argv(port: int, data_dir: Path) -> list[str]:
    # Our wrapper: nanio with in-flight uploads hidden from listings (see nanio_server).
    return [
        sys.executable,
        "-m",
        "fitness_stack.nanio_server",
        "serve",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def server_env(access_key: str, secret_key: str) -> dict[str, str]:
    return {"NANIO_ACCESS_KEY": access_key, "NANIO_SECRET_KEY": secret_key}


def endpoint(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def answers(endpoint_url: str) -> bool:
    """True when an HTTP server answers (any status: unsigned requests get 403)."""
    try:
        with urllib.request.urlopen(endpoint_url + "/", timeout=1.0):  # noqa: S310 - our URL
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def client(endpoint_url: str, access_key: str, secret_key: str) -> Minio:
    # Imported here: minio costs ~1 s of start-up and only the s3:// Kafka storage needs it.
    from minio import Minio

    parts = urlsplit(endpoint_url)
    return Minio(
        parts.netloc,
        access_key=access_key,
        secret_key=secret_key,
        secure=parts.scheme == "https",
        region="us-east-1",
    )


def ensure_bucket(endpoint_url: str, access_key: str, secret_key: str, bucket: str) -> None:
    s3 = client(endpoint_url, access_key, secret_key)
    if not s3.bucket_exists(bucket):
        s3.make_bucket(bucket)
