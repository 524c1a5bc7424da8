"""Idempotency-Key, ETags and If-Match through create_service_app, against real Postgres/Redis."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
from fastapi import APIRouter, FastAPI, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fitness_contracts.base import IntegrationEvent
from fitness_platform.app import create_service_app
from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import SessionDep
from fitness_platform.outbox import add_event
from fitness_platform.problems import NotFound
from fitness_platform.settings import ServiceSettings
from fitness_platform.testing import TokenFactory, serve_in_thread, wait_until


class NoteWritten(IntegrationEvent):
    event_type = "platformtest.note.written.v1"
    topic = "platformtest.note"
    note_id: uuid.UUID


class NoteIn(BaseModel):
    text: str


# Handlers whose text names a gate wait for it (threading: the real-HTTP test's server runs
# in another thread); ``entered`` tells the test the handler has started.
GATES: dict[str, threading.Event] = {}
ENTERED: dict[str, threading.Event] = {}
FAILURES: dict[str, int] = {}

router = APIRouter(prefix="/notes", tags=["notes"])
anon = APIRouter(prefix="/anon", tags=["anon"])


async def _note_json(session: Any, note_id: uuid.UUID, user_id: uuid.UUID) -> bytes:
    row = (
        await session.execute(
            text("SELECT id, text FROM notes WHERE id = :id AND user_id = :u"),
            {"id": note_id, "u": user_id},
        )
    ).first()
    if row is None:
        raise NotFound("No such note.")
    return orjson.dumps({"id": str(row.id), "text": row.text})


@router.post("", status_code=201)
async def create_note(
    body: NoteIn, user: CurrentUserDep, session: SessionDep, response: Response
) -> dict[str, str]:
    if body.text in ENTERED:
        ENTERED[body.text].set()
    if body.text in GATES:
        await asyncio.to_thread(GATES[body.text].wait, 20)
    if FAILURES.get(body.text, 0) > 0:
        FAILURES[body.text] -= 1
        raise RuntimeError("boom")  # a 500: not kept, the retry runs again
    note_id = uuid.uuid4()
    await session.execute(
        text("INSERT INTO notes (id, user_id, text) VALUES (:id, :u, :t)"),
        {"id": note_id, "u": user.id, "t": body.text},
    )
    await add_event(session, NoteWritten(note_id=note_id), key=user.id)
    await session.commit()
    response.headers["Location"] = f"/notes/{note_id}"
    return {"id": str(note_id), "text": body.text}


@router.get("/{note_id:uuid}")
async def get_note(note_id: uuid.UUID, user: CurrentUserDep, session: SessionDep) -> Response:
    return Response(await _note_json(session, note_id, user.id), media_type="application/json")


@router.put("/{note_id:uuid}")
async def put_note(
    note_id: uuid.UUID, body: NoteIn, user: CurrentUserDep, session: SessionDep
) -> Response:
    await _note_json(session, note_id, user.id)
    await session.execute(
        text("UPDATE notes SET text = :t WHERE id = :id"), {"t": body.text, "id": note_id}
    )
    await session.commit()
    return Response(await _note_json(session, note_id, user.id), media_type="application/json")


@router.delete("/{note_id:uuid}", status_code=204)
async def delete_note(note_id: uuid.UUID, user: CurrentUserDep, session: SessionDep) -> None:
    await _note_json(session, note_id, user.id)
    await session.execute(text("DELETE FROM notes WHERE id = :id"), {"id": note_id})
    await session.commit()


@anon.post("/signup", status_code=201)
async def signup(body: NoteIn, session: SessionDep) -> dict[str, str]:
    """Stands in for register/login: no user, so records are scoped by key + body."""
    await session.execute(
        text("INSERT INTO notes (id, user_id, text) VALUES (:id, NULL, :t)"),
        {"id": uuid.uuid4(), "t": body.text},
    )
    await session.commit()
    return {"token": uuid.uuid4().hex}


@pytest.fixture
async def app_settings(
    settings: ServiceSettings,
    redis_url: str,
    token_factory: TokenFactory,
    engine: AsyncEngine,
    redis_client: Any,
) -> ServiceSettings:
    async with engine.begin() as conn:
        await conn.execute(
            text("CREATE TABLE notes (id uuid PRIMARY KEY, user_id uuid, text text)")
        )
    return settings.model_copy(
        update={
            "redis_url": redis_url,
            "jwks_json": token_factory.jwks_json,
            "write_lock_wait_s": 5.0,
        }
    )


def make_app(settings: ServiceSettings) -> FastAPI:
    return create_service_app(
        settings,
        title="Sync safety test",
        routers=[router, anon],
        configure_logs=False,
        ready_checks=None,
    )


@pytest.fixture
async def client(app_settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(app_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c


@pytest.fixture
def auth(token_factory: TokenFactory) -> dict[str, str]:
    return token_factory.headers(uuid.uuid4())


async def counts(engine: AsyncEngine, text_value: str) -> tuple[int, int]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT count(*) FROM notes WHERE text = :t"), {"t": text_value}
            )
        ).scalar_one()
        events = (
            await conn.execute(
                text(
                    "SELECT count(*) FROM outbox o JOIN notes n ON o.payload->>'noteId' = n.id::text"
                    " WHERE n.text = :t"
                ),
                {"t": text_value},
            )
        ).scalar_one()
    return int(rows), int(events)


async def note_text(engine: AsyncEngine, note_id: str) -> str | None:
    async with engine.connect() as conn:
        value = (
            await conn.execute(text("SELECT text FROM notes WHERE id = :id"), {"id": note_id})
        ).scalar()
    return None if value is None else str(value)


# --- Idempotency-Key ------------------------------------------------------------------------


async def test_retry_replays_the_first_answer_without_a_second_row_or_event(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    headers = {**auth, "Idempotency-Key": "k-1"}
    first = await client.post("/notes", json={"text": "replay"}, headers=headers)
    again = await client.post("/notes", json={"text": "replay"}, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await counts(engine, "replay") == (1, 1)


async def test_same_key_other_body_is_422_and_runs_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    headers = {**auth, "Idempotency-Key": "k-2"}
    assert (await client.post("/notes", json={"text": "a"}, headers=headers)).status_code == 201
    resp = await client.post("/notes", json={"text": "b"}, headers=headers)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["type"].endswith("/idempotency-key-reused")
    assert await counts(engine, "b") == (0, 0)


async def test_keys_are_per_user_and_per_path(
    client: httpx.AsyncClient, token_factory: TokenFactory, engine: AsyncEngine
) -> None:
    for _ in range(2):
        user = token_factory.headers(uuid.uuid4())
        resp = await client.post(
            "/notes", json={"text": "per-user"}, headers={**user, "Idempotency-Key": "shared"}
        )
        assert resp.status_code == 201
        assert "idempotent-replayed" not in resp.headers
    assert await counts(engine, "per-user") == (2, 2)


async def test_concurrent_duplicate_is_409_then_replayed(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    GATES["held"], ENTERED["held"] = threading.Event(), threading.Event()
    headers = {**auth, "Idempotency-Key": "k-3"}
    try:
        first = asyncio.create_task(client.post("/notes", json={"text": "held"}, headers=headers))
        await wait_until(ENTERED["held"].is_set, message="first request never started")
        dup = await client.post("/notes", json={"text": "held"}, headers=headers)
        assert dup.status_code == 409
        assert dup.json()["type"].endswith("/idempotency-key-in-use")
        assert dup.headers["retry-after"] == "1"
        GATES["held"].set()
        assert (await first).status_code == 201
    finally:
        GATES.pop("held").set()
        ENTERED.pop("held")
    replay = await client.post("/notes", json={"text": "held"}, headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert await counts(engine, "held") == (1, 1)


async def test_a_5xx_is_not_kept_so_the_retry_runs(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    FAILURES["flaky"] = 1
    headers = {**auth, "Idempotency-Key": "k-4"}
    assert (await client.post("/notes", json={"text": "flaky"}, headers=headers)).status_code == 500
    retry = await client.post("/notes", json={"text": "flaky"}, headers=headers)
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert await counts(engine, "flaky") == (1, 1)


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "caf\u00e9", "tab\there"])
async def test_invalid_key_is_400_and_runs_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine, key: str
) -> None:
    resp = await client.post(
        "/notes", json={"text": "bad-key"}, headers={**auth, "Idempotency-Key": key.encode()}
    )
    assert resp.status_code == 400
    assert resp.json()["type"].endswith("/invalid-idempotency-key")
    assert await counts(engine, "bad-key") == (0, 0)


async def test_without_a_key_every_post_runs(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    for _ in range(2):
        assert (
            await client.post("/notes", json={"text": "plain"}, headers=auth)
        ).status_code == 201
    assert await counts(engine, "plain") == (2, 2)


async def test_anonymous_posts_are_scoped_by_key_and_body(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    headers = {"Idempotency-Key": "anon-1"}
    first = await client.post("/anon/signup", json={"text": "anon-a"}, headers=headers)
    again = await client.post("/anon/signup", json={"text": "anon-a"}, headers=headers)
    other = await client.post("/anon/signup", json={"text": "anon-b"}, headers=headers)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    # another body is another client's request, not a 422: it must not learn the first answer
    assert other.status_code == 201
    assert other.json() != first.json()
    assert (await counts(engine, "anon-a"))[0] == 1


async def test_redis_down_is_503_and_runs_nothing(
    app_settings: ServiceSettings, auth: dict[str, str], engine: AsyncEngine
) -> None:
    dead = app_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{_closed_port()}/0"})
    app = make_app(dead)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as c,
    ):
        resp = await c.post(
            "/notes", json={"text": "no-redis"}, headers={**auth, "Idempotency-Key": "k-5"}
        )
    assert resp.status_code == 503
    assert resp.json()["type"].endswith("/idempotency-unavailable")
    assert await counts(engine, "no-redis") == (0, 0)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_retry_after_a_dropped_connection_makes_one_row_and_one_event(
    app_settings: ServiceSettings, auth: dict[str, str], engine: AsyncEngine
) -> None:
    """Real HTTP: the client sends the POST and closes the socket before the answer."""
    GATES["dropped"], ENTERED["dropped"] = threading.Event(), threading.Event()
    body = orjson.dumps({"text": "dropped"})
    headers = {**auth, "Idempotency-Key": "k-6", "Content-Type": "application/json"}
    try:
        with serve_in_thread(make_app(app_settings)) as base:
            url = urlsplit(base)
            raw = (
                f"POST /notes HTTP/1.1\r\nHost: {url.netloc}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                + f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            with socket.create_connection((url.hostname, url.port)) as sock:
                sock.sendall(raw)
                await wait_until(ENTERED["dropped"].is_set, message="handler never started")
            # the phone lost the connection; the handler goes on and finishes
            GATES["dropped"].set()
            async with httpx.AsyncClient(base_url=base) as c:

                async def replayed() -> httpx.Response | None:
                    resp = await c.post("/notes", content=body, headers=headers)
                    return None if resp.status_code == 409 else resp

                retry = await wait_until(replayed, timeout=20, message="never replayed")
    finally:
        GATES.pop("dropped").set()
        ENTERED.pop("dropped")
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert await counts(engine, "dropped") == (1, 1)


# --- ETag / If-None-Match / If-Match ---------------------------------------------------------


async def _new_note(client: httpx.AsyncClient, auth: dict[str, str], value: str) -> str:
    resp = await client.post("/notes", json={"text": value}, headers=auth)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def test_get_has_a_strong_etag_and_if_none_match_is_304(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    note = await _new_note(client, auth, "etag")
    first = await client.get(f"/notes/{note}", headers=auth)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    again = await client.get(f"/notes/{note}", headers=auth)
    assert again.headers["etag"] == etag  # same bytes, same tag
    cached = await client.get(f"/notes/{note}", headers={**auth, "If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    weak = await client.get(f"/notes/{note}", headers={**auth, "If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304  # If-None-Match compares weakly
    stale = await client.get(f"/notes/{note}", headers={**auth, "If-None-Match": '"old"'})
    assert stale.status_code == 200
    assert stale.json()["text"] == "etag"


async def test_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    note = await _new_note(client, auth, "v1")
    etag = (await client.get(f"/notes/{note}", headers=auth)).headers["etag"]
    # another device changes it
    assert (
        await client.put(f"/notes/{note}", json={"text": "v2"}, headers=auth)
    ).status_code == 200
    resp = await client.put(
        f"/notes/{note}", json={"text": "v3"}, headers={**auth, "If-Match": etag}
    )
    assert resp.status_code == 412
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["type"].endswith("/precondition-failed")
    assert await note_text(engine, note) == "v2"
    current = (await client.get(f"/notes/{note}", headers=auth)).headers["etag"]
    assert resp.headers["etag"] == current
    ok = await client.put(
        f"/notes/{note}", json={"text": "v3"}, headers={**auth, "If-Match": current}
    )
    assert ok.status_code == 200
    assert await note_text(engine, note) == "v3"
    # The conditional write's answer carries the new tag: the next write needs no GET first.
    new_tag = ok.headers["etag"]
    assert new_tag != current
    assert new_tag == (await client.get(f"/notes/{note}", headers=auth)).headers["etag"]
    chained = await client.put(
        f"/notes/{note}", json={"text": "v4"}, headers={**auth, "If-Match": new_tag}
    )
    assert chained.status_code == 200
    assert await note_text(engine, note) == "v4"
    # The old tag is now stale.
    assert (
        await client.put(
            f"/notes/{note}", json={"text": "v5"}, headers={**auth, "If-Match": new_tag}
        )
    ).status_code == 412


async def test_stale_if_match_on_delete_keeps_the_row(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    note = await _new_note(client, auth, "keep")
    resp = await client.delete(f"/notes/{note}", headers={**auth, "If-Match": '"stale"'})
    assert resp.status_code == 412
    malformed = await client.delete(f"/notes/{note}", headers={**auth, "If-Match": "stale"})
    assert malformed.status_code == 400
    assert malformed.json()["type"].endswith("/invalid-if-match")
    assert await note_text(engine, note) == "keep"
    etag = (await client.get(f"/notes/{note}", headers=auth)).headers["etag"]
    assert (
        await client.delete(f"/notes/{note}", headers={**auth, "If-Match": etag})
    ).status_code == 204
    assert await note_text(engine, note) is None


async def test_concurrent_conditional_writes_with_one_etag_let_exactly_one_through(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    note = await _new_note(client, auth, "base")
    etag = (await client.get(f"/notes/{note}", headers=auth)).headers["etag"]
    results = await asyncio.gather(
        *(
            client.put(
                f"/notes/{note}", json={"text": f"dev-{i}"}, headers={**auth, "If-Match": etag}
            )
            for i in range(4)
        )
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 412, 412, 412]
    winner = next(r for r in results if r.status_code == 200)
    assert await note_text(engine, note) == winner.json()["text"]


async def test_writes_without_if_match_and_if_match_star_proceed(
    client: httpx.AsyncClient, auth: dict[str, str], engine: AsyncEngine
) -> None:
    note = await _new_note(client, auth, "free")
    assert (
        await client.put(f"/notes/{note}", json={"text": "free-2"}, headers=auth)
    ).status_code == 200
    star = await client.put(
        f"/notes/{note}", json={"text": "free-3"}, headers={**auth, "If-Match": "*"}
    )
    assert star.status_code == 200
    assert await note_text(engine, note) == "free-3"
    # another user's (or a missing) object stays a 404, If-Match or not
    missing = await client.put(
        f"/notes/{uuid.uuid4()}", json={"text": "x"}, headers={**auth, "If-Match": '"x"'}
    )
    assert missing.status_code == 404


async def test_openapi_documents_the_headers_and_responses(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/notes"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    assert {"400", "409", "422"} <= set(post["responses"])
    assert "Idempotent-Replayed" in post["responses"]["201"]["headers"]
    get = spec["paths"]["/notes/{note_id}"]["get"]
    assert any(p["name"] == "If-None-Match" for p in get["parameters"])
    assert "304" in get["responses"]
    assert "ETag" in get["responses"]["200"]["headers"]
    for method in ("put", "delete"):
        op = spec["paths"]["/notes/{note_id}"][method]
        assert any(p["name"] == "If-Match" for p in op["parameters"])
        assert op["responses"]["412"]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    put = spec["paths"]["/notes/{note_id}"]["put"]
    assert "ETag" in put["responses"]["200"]["headers"]
