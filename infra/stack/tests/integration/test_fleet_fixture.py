"""The `fleet` fixture brings up every built service behind the gateway."""

import os
import urllib.request

import pytest

from fitness_stack.endpoints import Endpoints
from fitness_stack.fleet import discover
from fitness_stack.ports import Ports

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - local URL
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_gateway_docs_and_every_built_api_ready(fleet: Endpoints) -> None:
    assert status(f"{fleet.gateway_url}/docs") == 200
    assert status(f"{fleet.gateway_url}/health/ready") == 200
    only = os.environ.get("FITNESS_TEST_FLEET_SERVICES")
    chosen = set(only.split(",")) if only else None
    built = {p.service for p in discover(Ports.for_offset(0).services, only=chosen)} - {"gateway"}
    assert "identity" in built
    for name in built:
        assert status(f"{fleet.service_urls[name]}/health/ready") == 200, name
