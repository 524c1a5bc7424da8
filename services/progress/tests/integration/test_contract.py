"""schemathesis against the progress API's own OpenAPI: no 5xx, every response documented and
matching its schema."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fitness_platform.testing import free_port

pytestmark = pytest.mark.slow

# positive_data_acceptance is off: some valid-looking requests are refused by rules OpenAPI cannot
# express (from after to, a weekStart that is not a Monday, a forecast without a profile: 409).
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def server(progress_schema, redis_url, settings, token_factory, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PROGRESS_ENVIRONMENT": "test",
        "PROGRESS_DATABASE_URL": progress_schema.url,
        "PROGRESS_DB_SCHEMA": progress_schema.schema,
        "PROGRESS_REDIS_URL": redis_url,
        "PROGRESS_JWKS_JSON": token_factory.jwks_json,
        "PROGRESS_LOG_LEVEL": "WARNING",
        "PROGRESS_S3_ENDPOINT": settings.s3_endpoint,
        "PROGRESS_S3_ACCESS_KEY": settings.s3_access_key,
        "PROGRESS_S3_SECRET_KEY": settings.s3_secret_key,
        "PROGRESS_S3_BUCKET": settings.s3_bucket,
    }
    log = tmp_path_factory.mktemp("api") / "api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "progress.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("progress API did not start:\n" + log.read_text()[-4000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_openapi_contract_has_no_5xx(server, token_factory) -> None:
    token = token_factory.issue(roles=("user",), ttl=3600)
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{server}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--exclude-checks",
            "positive_data_acceptance",
            "--request-timeout",
            "60",
            "--seed",
            "1",
            "--max-examples",
            "25",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-8000:]
