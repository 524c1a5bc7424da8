"""The ``updatedSince`` cursor: round trip, malformed → 422 problem, expired → 410 problem, and
how a delta page becomes the next cursor."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from fitness_platform.problems import ProblemError, install_problem_handlers
from fitness_platform.settings import ServiceSettings
from fitness_platform.sync import SyncCursor, UpdatedSinceDep, assemble_delta


def raw(parts: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(parts)).rstrip(b"=").decode()


def test_round_trip_of_a_floor_and_of_a_continuation() -> None:
    now = time.time()
    floor = SyncCursor(1234, now)
    assert SyncCursor.decode(floor.encode()) == SyncCursor(1234, round(now, 3))
    cont = SyncCursor(10, now, (12, "2026-01-02"), 15, now)
    decoded = SyncCursor.decode(cont.encode())
    assert decoded.after == (12, "2026-01-02")
    assert decoded.next_floor == 15


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not base64 !!",
        "x" * 600,
        raw({"floor": 1}),
        raw([2, 1, time.time()]),
        raw([1, -1, time.time()]),
        raw([1, True, time.time()]),
        raw([1, 1, 0]),
        raw([1, 1, time.time() + 10 * 86_400]),
        raw([1, 1, time.time(), 2, 3, 4, time.time()]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_anything_else_is_a_422_naming_the_parameter(value: str) -> None:
    with pytest.raises(ProblemError) as info:
        SyncCursor.decode(value)
    assert info.value.status == 422
    assert info.value.extra["errors"][0]["path"] == "query.updatedSince"


def test_a_cursor_older_than_the_retention_is_410() -> None:
    from datetime import timedelta

    old = SyncCursor(1, time.time() - 91 * 86_400)
    with pytest.raises(ProblemError) as info:
        old.check_fresh(timedelta(days=90))
    assert info.value.status == 410
    SyncCursor(1, time.time() - 89 * 86_400).check_fresh(timedelta(days=90))


def test_a_full_page_continues_and_the_last_page_hands_out_the_first_pages_floor() -> None:
    start = SyncCursor(100, time.time())
    fresh = SyncCursor(200, time.time())
    rows = [(101, "a", "A"), (103, "c", "C")]
    gone = [(102, "b")]
    first = assemble_delta(start, fresh, rows, gone, limit=2)
    assert first.has_more
    assert [r[0] for r in first.rows] == ["A"]
    assert first.deleted == ["b"]
    cont = SyncCursor.decode(first.cursor)
    assert (cont.floor, cont.after, cont.next_floor) == (100, (102, "b"), 200)

    later = SyncCursor(300, time.time())
    last = assemble_delta(cont, later, [(103, "c", "C")], [], limit=2)
    assert not last.has_more
    # Not 300: a transaction in [200, 300) may still commit a change below the position.
    assert SyncCursor.decode(last.cursor).floor == 200


async def test_the_dependency_answers_problems() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.settings = ServiceSettings(environment="test", sync_tombstone_retention_days=30)

    @app.get("/things")
    async def things(cursor: UpdatedSinceDep) -> dict[str, Any]:
        return {"floor": cursor.floor if cursor else None}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/things")).json() == {"floor": None}
        ok = SyncCursor(7, time.time() - 29 * 86_400).encode()
        assert (await client.get("/things", params={"updatedSince": ok})).json() == {"floor": 7}
        expired = SyncCursor(7, time.time() - 31 * 86_400).encode()
        gone = await client.get("/things", params={"updatedSince": expired})
        assert gone.status_code == 410
        assert gone.headers["content-type"] == "application/problem+json"
        assert gone.json()["type"].endswith("/sync-cursor-expired")
        bad = await client.get("/things", params={"updatedSince": "garbage"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["path"] == "query.updatedSince"
