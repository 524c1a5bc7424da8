"""Every error leaves as RFC 9457 problem+json, whatever raised it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI
from pydantic import Field

from fitness_platform.auth import AdminDep, CurrentUserDep
from fitness_platform.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from fitness_platform.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    Conflict,
    NotFound,
    install_problem_handlers,
)
from fitness_platform.schemas import CamelInput
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import TokenFactory


class ProfileIn(CamelInput):
    height_cm: Annotated[float, Field(ge=100, le=250)]
    name: str


def make_app(tokens: TokenFactory) -> FastAPI:
    app = FastAPI(responses=PROBLEM_RESPONSES)
    app.state.settings = ServiceSettings(jwks_json=tokens.jwks_json)
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=1024)
    app.add_middleware(RequestContextMiddleware)

    @app.post("/profiles", status_code=201)
    async def create_profile(body: ProfileIn) -> dict[str, float]:
        return {"heightCm": body.height_cm}

    @app.put("/things/{thing_id}")
    async def put_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @app.get("/things/{thing_id}")
    async def get_thing(thing_id: int) -> dict[str, int]:
        if thing_id == 409:
            raise Conflict("Already exists.")
        raise NotFound("No such thing.")

    @app.get("/me")
    async def me(user: CurrentUserDep) -> dict[str, str]:
        return {"id": str(user.id)}

    @app.get("/admin")
    async def admin(user: AdminDep) -> dict[str, str]:
        return {"id": str(user.id)}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(TOKENS)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


TOKENS = TokenFactory()


def assert_problem(resp: httpx.Response, status: int, slug: str, path: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = resp.json()
    assert body["type"] == f"https://problems.fitness.example/{slug}"
    assert body["status"] == status
    assert body["title"]
    assert body["instance"] == path
    assert body["correlationId"] == resp.headers["x-request-id"]
    return body


async def test_404_from_problem_error(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/things/1"), 404, "not-found", "/things/1")
    assert body["detail"] == "No such thing."


async def test_409_conflict(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/things/409"), 409, "conflict", "/things/409")


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nope"), 404, "not-found", "/nope")


async def test_405_keeps_allow_header(client: httpx.AsyncClient) -> None:
    resp = await client.delete("/profiles")
    assert_problem(resp, 405, "method-not-allowed", "/profiles")
    assert resp.headers["allow"] == "POST"


async def test_405_allow_lists_every_route_of_the_path(client: httpx.AsyncClient) -> None:
    # PUT and GET are separate routes; Starlette alone would answer ``Allow: PUT``.
    resp = await client.delete("/things/1")
    assert_problem(resp, 405, "method-not-allowed", "/things/1")
    assert resp.headers["allow"] == "GET, PUT"


async def test_422_lists_camel_case_paths(client: httpx.AsyncClient) -> None:
    resp = await client.post("/profiles", json={"heightCm": 20, "role": "admin"})
    body = assert_problem(resp, 422, "validation-error", "/profiles")
    paths = {e["path"]: e for e in body["errors"]}
    assert set(paths) == {"body.heightCm", "body.name", "body.role"}
    assert paths["body.role"]["type"] == "extra_forbidden"
    assert paths["body.heightCm"]["type"] == "greater_than_equal"
    assert all(e["message"] for e in body["errors"])


async def test_422_for_path_param(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/things/abc"), 422, "validation-error", "/things/abc")
    assert body["errors"][0]["path"] == "path.thing_id"


async def test_malformed_json_is_422_problem(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/profiles", content=b'{"heightCm": 1', headers={"content-type": "application/json"}
    )
    body = assert_problem(resp, 422, "malformed-json", "/profiles")
    assert body["errors"] == [
        {"path": "body", "message": body["errors"][0]["message"], "type": "json_invalid"}
    ]


async def test_500_hides_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    resp = await client.get("/boom", headers={"x-request-id": "req-500"})
    body = assert_problem(resp, 500, "internal-error", "/boom")
    assert "hunter2" not in resp.text
    assert "RuntimeError" not in resp.text
    assert body["correlationId"] == "req-500"
    # The exception is logged server-side, with its correlation id in context.
    assert any("hunter2" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


async def test_401_without_token(client: httpx.AsyncClient) -> None:
    resp = await client.get("/me")
    assert_problem(resp, 401, "unauthorized", "/me")
    assert resp.headers["www-authenticate"].startswith("Bearer")


async def test_401_with_garbage_token(client: httpx.AsyncClient) -> None:
    resp = await client.get("/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert_problem(resp, 401, "unauthorized", "/me")


async def test_valid_token_passes(client: httpx.AsyncClient) -> None:
    resp = await client.get("/me", headers=TOKENS.headers("7d9e4a0a-8f7c-4a51-9d5b-0b2d6c1f0e11"))
    assert resp.status_code == 200
    assert resp.json() == {"id": "7d9e4a0a-8f7c-4a51-9d5b-0b2d6c1f0e11"}


async def test_403_for_missing_role(client: httpx.AsyncClient) -> None:
    resp = await client.get("/admin", headers=TOKENS.headers(roles=["user"]))
    assert_problem(resp, 403, "forbidden", "/admin")
    ok = await client.get("/admin", headers=TOKENS.headers(roles=["user", "admin"]))
    assert ok.status_code == 200


async def test_413_by_content_length(client: httpx.AsyncClient) -> None:
    resp = await client.post("/profiles", json={"name": "x" * 2000, "heightCm": 170})
    assert_problem(resp, 413, "payload-too-large", "/profiles")


async def test_413_when_streamed_without_length(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 200
        yield b'", "heightCm": 170}'

    resp = await client.post(
        "/profiles", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in resp.request.headers
    assert_problem(resp, 413, "payload-too-large", "/profiles")


async def test_small_body_passes_limit(client: httpx.AsyncClient) -> None:
    resp = await client.post("/profiles", json={"name": "Ann", "heightCm": 170})
    assert resp.status_code == 201
    assert resp.json() == {"heightCm": 170}


def test_openapi_documents_problem_schema() -> None:
    spec = make_app(TOKENS).openapi()
    responses = spec["paths"]["/profiles"]["post"]["responses"]
    for status in ("400", "401", "403", "404", "409", "413", "422", "429", "500"):
        content = responses[status]["content"]
        assert content[PROBLEM_MEDIA_TYPE]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    assert "correlationId" in problem["properties"]
