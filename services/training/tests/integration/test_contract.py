"""schemathesis against the training API's own OpenAPI, as an authenticated admin: no 5xx,
every response documented and matching its schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from fitness_platform.testing import (
    FreshSchema,
    create_schema,
    drop_schema,
    run_schemathesis,
    serve_service,
    service_env,
)

pytestmark = pytest.mark.slow

# positive_data_acceptance is off (run_schemathesis): some valid-looking requests are refused by
# rules OpenAPI cannot express (unknown exercise ids, startedAt within 10 years back / 1 day
# ahead, exercise durations adding up to more than the workout's, template names taken).
MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


@pytest.fixture(scope="module")
async def contract_schema(pg_admin_url) -> AsyncIterator[FreshSchema]:
    """A schema of its own: the fuzzer (as an admin) edits and deletes the seeded templates,
    which the other tests read."""
    fresh = await create_schema(pg_admin_url, "training_contract", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="module")
def server(contract_schema, redis_url, token_factory, tmp_path_factory) -> Iterator[str]:
    env = service_env(
        "TRAINING", contract_schema, REDIS_URL=redis_url, JWKS_JSON=token_factory.jwks_json
    )
    log = tmp_path_factory.mktemp("api") / "api.log"
    with serve_service("training.main:create_app", env, log_path=log) as base:
        yield base


def test_openapi_contract_has_no_5xx(server, token_factory) -> None:
    token = token_factory.issue(roles=("user", "admin"), ttl=3600)
    result = run_schemathesis(server, token, "--max-examples", "25")
    assert result.returncode == 0, result.stdout[-8000:]
