"""schemathesis against the training API's own OpenAPI, as an authenticated admin: no 5xx,
every response documented and matching its schema."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from fitness_platform.testing import FreshSchema, create_schema, drop_schema, free_port

pytestmark = pytest.mark.slow

# positive_data_acceptance is off: some valid-looking requests are refused by rules OpenAPI cannot
# express (unknown exercise ids, startedAt within 10 years back / 1 day ahead, exercise
# durations adding up to more than the workout's, template names taken).
MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
async def contract_schema(pg_admin_url) -> AsyncIterator[FreshSchema]:
    """A schema of its own: the fuzzer (as an admin) edits and deletes the seeded templates,
    which the other tests read."""
    fresh = await create_schema(pg_admin_url, "training_contract", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="module")
def server(contract_schema, redis_url, token_factory, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "TRAINING_ENVIRONMENT": "test",
        "TRAINING_DATABASE_URL": contract_schema.url,
        "TRAINING_DB_SCHEMA": contract_schema.schema,
        "TRAINING_REDIS_URL": redis_url,
        "TRAINING_JWKS_JSON": token_factory.jwks_json,
        "TRAINING_LOG_LEVEL": "WARNING",
    }
    log = tmp_path_factory.mktemp("api") / "api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "training.main:create_app",
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
                raise AssertionError("training API did not start:\n" + log.read_text()[-4000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _run(base: str, token: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--exclude-checks",
            "positive_data_acceptance",
            "--request-timeout",
            "60",
            "--seed",
            "1",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )


def test_openapi_contract_has_no_5xx(server, token_factory) -> None:
    token = token_factory.issue(roles=("user", "admin"), ttl=3600)
    result = _run(server, token, "--max-examples", "25")
    assert result.returncode == 0, result.stdout[-8000:]
