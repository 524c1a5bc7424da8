"""schemathesis against the nutrition API's own OpenAPI, as an authenticated admin: no 5xx,
every response documented and matching its schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fitness_platform.testing import run_schemathesis, serve_service, service_env

pytestmark = pytest.mark.slow

# positive_data_acceptance is off (run_schemathesis): some valid-looking requests are refused by
# rules OpenAPI cannot express (unknown food ids, `from` after `to`, foodId+grams XOR customItem).


@pytest.fixture(scope="module")
def server(nutrition_schema, redis_url, token_factory, tmp_path_factory) -> Iterator[str]:
    env = service_env(
        "NUTRITION", nutrition_schema, REDIS_URL=redis_url, JWKS_JSON=token_factory.jwks_json
    )
    log = tmp_path_factory.mktemp("api") / "api.log"
    with serve_service("nutrition.main:create_app", env, log_path=log) as base:
        yield base


def test_openapi_contract_has_no_5xx(server, token_factory) -> None:
    token = token_factory.issue(roles=("user", "admin"), ttl=3600)
    # The MILP routes are slow per call: fuzzed separately with fewer examples.
    result = run_schemathesis(
        server, token, "--max-examples", "15", "--exclude-path-regex", "meal-suggestion"
    )
    assert result.returncode == 0, result.stdout[-8000:]


def test_openapi_contract_planner_routes(server, token_factory) -> None:
    token = token_factory.issue(roles=("user",), ttl=3600)
    result = run_schemathesis(
        server,
        token,
        "--max-examples",
        "3",
        "--include-path-regex",
        "meal-suggestion",
        "--phases",
        "examples,fuzzing",
    )
    assert result.returncode == 0, result.stdout[-8000:]
