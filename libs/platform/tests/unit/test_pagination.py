from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from fitness_platform.pagination import Page, PageDep, PageParams
from fitness_platform.problems import install_problem_handlers


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/items")
    async def items(page: PageDep) -> Page[int]:
        data = list(range(1, 251))
        return Page.of(data[page.offset : page.offset + page.limit], page, total=len(data))

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_defaults(client: httpx.AsyncClient) -> None:
    body = (await client.get("/items")).json()
    assert (body["page"], body["limit"], body["total"]) == (1, 20, 250)
    assert body["items"] == list(range(1, 21))


async def test_offset_of_later_page(client: httpx.AsyncClient) -> None:
    body = (await client.get("/items", params={"page": 3, "limit": 100})).json()
    assert body["items"] == list(range(201, 251))


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"page": 0}, "query.page"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"page": "x"}, "query.page"),
    ],
)
async def test_bounds_are_422(client: httpx.AsyncClient, params: dict, path: str) -> None:
    resp = await client.get("/items", params=params)
    assert resp.status_code == 422
    assert [e["path"] for e in resp.json()["errors"]] == [path]


async def test_limit_100_allowed(client: httpx.AsyncClient) -> None:
    assert (await client.get("/items", params={"limit": 100})).status_code == 200


def test_offset() -> None:
    assert PageParams(page=1, limit=20).offset == 0
    assert PageParams(page=4, limit=25).offset == 75
