"""schemathesis against the goals API's own OpenAPI, as an authenticated user: no 5xx,
every response documented and matching its schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fitness_platform.testing import run_schemathesis, serve_service, service_env

pytestmark = pytest.mark.slow

# positive_data_acceptance is off (run_schemathesis): some valid-looking requests are refused by
# rules OpenAPI cannot express (endDate before the default startDate, a second active weight
# target, a target field of another goal type in PATCH, illegal status transitions, a weight
# goal's streak).
#
# CONFIG switches off one check for one operation: ensure_resource_availability for
# POST /goals/streak. There it gives false positives after a DELETE (the reasons are in the
# file).
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(scope="module")
def server(goals_schema, redis_url, token_factory, tmp_path_factory) -> Iterator[str]:
    env = service_env("GOALS", goals_schema, REDIS_URL=redis_url, JWKS_JSON=token_factory.jwks_json)
    log = tmp_path_factory.mktemp("api") / "api.log"
    with serve_service("goals.main:create_app", env, log_path=log) as base:
        yield base


def test_openapi_contract_has_no_5xx(server, token_factory) -> None:
    token = token_factory.issue(roles=("user",), ttl=3600)
    result = run_schemathesis(server, token, "--max-examples", "30", config=CONFIG)
    assert result.returncode == 0, result.stdout[-8000:]
