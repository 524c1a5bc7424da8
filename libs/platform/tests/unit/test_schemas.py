"""``json_response``: the hot reads' one-pass serialisation keeps the wire format of the model."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import orjson
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from fitness_platform.pagination import Page, PageParams
from fitness_platform.schemas import CamelModel, json_response


class Entry(CamelModel):
    entry_id: UUID
    measured_on: date
    weight_kg: float | None = None


ENTRY = Entry(entry_id=UUID(int=7), measured_on=date(2026, 1, 2), weight_kg=80.5)


def test_body_is_the_camel_case_json_of_the_model() -> None:
    response = json_response(ENTRY)
    assert response.status_code == 200
    assert response.media_type == "application/json"
    assert orjson.loads(response.body) == {
        "entryId": "00000000-0000-0000-0000-000000000007",
        "measuredOn": "2026-01-02",
        "weightKg": 80.5,
    }


def test_status_code_is_kept() -> None:
    assert json_response(ENTRY, status_code=201).status_code == 201


async def test_same_body_and_openapi_as_returning_the_model() -> None:
    app = FastAPI()

    @app.get("/returned", response_model=Page[Entry])
    async def returned() -> Page[Entry]:
        return Page[Entry].of([ENTRY], PageParams(page=1, limit=20), 1)

    @app.get("/helper", response_model=Page[Entry])
    async def helper() -> object:
        return json_response(Page[Entry].of([ENTRY], PageParams(page=1, limit=20), 1))

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        a, b = await client.get("/returned"), await client.get("/helper")
    assert a.status_code == b.status_code == 200
    assert a.headers["content-type"] == b.headers["content-type"]
    assert a.json() == b.json()
    paths = app.openapi()["paths"]
    ok = "200"
    assert paths["/returned"]["get"]["responses"][ok] == paths["/helper"]["get"]["responses"][ok]
