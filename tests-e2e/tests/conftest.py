"""E2E fixtures: the fleet started by the same launcher as `make up`, reached over real HTTP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from e2e.accounts import Account, register_and_login
from fitness_stack.endpoints import Endpoints

# Settings the e2e fleet runs with. The per-IP register/login limits are raised because every
# test registers from 127.0.0.1; the per-account login limit stays low so the 429 test is quick.
LOGIN_PER_ACCOUNT = 3  # test_auth_flow.E2E_LOGIN_PER_ACCOUNT mirrors it
E2E_ENV = {
    "GATEWAY_RATE_LOGIN_PER_ACCOUNT": f"{LOGIN_PER_ACCOUNT}/60",
    "GATEWAY_RATE_LOGIN_PER_IP": "1000/60",
    "GATEWAY_RATE_REGISTER_PER_IP": "1000/60",
    "GATEWAY_RATE_REGISTER_PER_ACCOUNT": "10/60",
}


@pytest.fixture(scope="session")
def e2e(request: pytest.FixtureRequest) -> Iterator[Endpoints]:
    saved = {k: os.environ.get(k) for k in E2E_ENV}
    os.environ.update(E2E_ENV)  # inherited by the fleet's processes
    try:
        yield request.getfixturevalue("fleet")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
async def gw(e2e: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=e2e.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
async def account(gw: httpx.AsyncClient) -> Account:
    return await register_and_login(gw)
