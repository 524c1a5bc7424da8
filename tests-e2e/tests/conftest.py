"""E2E fixtures: the fleet started by the same launcher as `make up`, reached over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from e2e.accounts import Account, register_and_login
from fitness_stack.endpoints import Endpoints


@pytest.fixture(scope="session")
def e2e(fleet: Endpoints) -> Endpoints:
    """The fleet from the root plugin (its settings: fitness_stack.pytest_plugin.FLEET_TEST_ENV)."""
    return fleet


@pytest.fixture
async def gw(e2e: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=e2e.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
async def account(gw: httpx.AsyncClient) -> Account:
    return await register_and_login(gw)
