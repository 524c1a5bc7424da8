"""Schemathesis on the /admin operations, called with an admin token (the general contract test
uses a normal user's token, which only ever reaches their 403)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from psycopg import sql
from schemathesis.checks import positive_data_acceptance

from fitness_platform.db import to_libpq_url
from fitness_platform.testing import serve_in_thread
from identity.keys import generate_key
from identity.main import create_app
from identity.settings import IdentitySettings

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def base_url(settings: IdentitySettings) -> Iterator[str]:
    with serve_in_thread(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def admin_token(base_url: str, settings: IdentitySettings) -> str:
    email = f"schema-admin-{uuid.uuid4().hex[:10]}@example.com"
    with httpx.Client(base_url=base_url) as client:
        resp = client.post(
            "/auth/register", json={"email": email, "password": PASSWORD, "name": "S"}
        )
        resp.raise_for_status()
        with psycopg.connect(to_libpq_url(settings.database_url)) as conn:
            conn.execute(
                sql.SQL("UPDATE {}.users SET roles = '{{user,admin}}' WHERE id = %s").format(
                    sql.Identifier(settings.db_schema)
                ),
                (resp.json()["id"],),
            )
        resp = client.post("/auth/login", json={"email": email, "password": PASSWORD})
        resp.raise_for_status()
        token: str = resp.json()["accessToken"]
        return token


def _openapi_document() -> dict[str, Any]:
    app = create_app(
        IdentitySettings(environment="test", signing_keys=[generate_key().as_pem(True).decode()])
    )
    return app.openapi()


schema = schemathesis.openapi.from_dict(_openapi_document()).include(path_regex="^/admin")
# Unknown query parameters are ignored, as everywhere in the API (only write bodies forbid extra
# fields), and every call carries the admin token: neither is a negative case here.
schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_admin_api_conforms_to_its_openapi(case: Any, base_url: str, admin_token: str) -> None:
    excluded = []
    if case.path == "/admin/metrics":
        # `from` <= `to`, a span of at most 366 days and the 2000..2100 bounds relate two
        # parameters or bound a date string: not expressible in JSON Schema, and that 422 is right.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(
        base_url=base_url,
        headers={"Authorization": f"Bearer {admin_token}"},
        excluded_checks=excluded,
    )
