"""schemathesis against the progress API's own OpenAPI, as an authenticated user: no 5xx,
every response documented and matching its schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fitness_platform.testing import run_schemathesis, serve_service, service_env

pytestmark = pytest.mark.slow

# positive_data_acceptance is off (run_schemathesis): some valid-looking requests are refused by
# rules OpenAPI cannot express (from after to, a weekStart that is not a Monday, a forecast
# without a profile: 409).


@pytest.fixture(scope="module")
def server(progress_schema, redis_url, settings, token_factory, tmp_path_factory) -> Iterator[str]:
    env = service_env(
        "PROGRESS",
        progress_schema,
        REDIS_URL=redis_url,
        JWKS_JSON=token_factory.jwks_json,
        S3_ENDPOINT=settings.s3_endpoint,
        S3_ACCESS_KEY=settings.s3_access_key,
        S3_SECRET_KEY=settings.s3_secret_key,
        S3_BUCKET=settings.s3_bucket,
    )
    log = tmp_path_factory.mktemp("api") / "api.log"
    with serve_service("progress.main:create_app", env, log_path=log) as base:
        yield base


def test_openapi_contract_has_no_5xx(server, token_factory) -> None:
    token = token_factory.issue(roles=("user",), ttl=3600)
    result = run_schemathesis(server, token, "--max-examples", "25")
    assert result.returncode == 0, result.stdout[-8000:]
