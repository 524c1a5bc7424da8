"""Mobile sync safety through the gateway: Idempotency-Key on POSTs, ETags, If-Match.

The gateway forwards ``Idempotency-Key``, ``If-None-Match`` and ``If-Match`` upstream and the
services' ``ETag`` and ``Idempotent-Replayed`` back; the services do the work (libs/platform).
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from urllib.parse import urlsplit

import httpx
import orjson
import psycopg

from e2e.accounts import Account
from fitness_platform.testing import wait_until
from fitness_stack.endpoints import Endpoints

RUNNING_6MPH = 9
WORKOUT = {
    "title": "Retried run",
    "startedAt": "2026-03-10T07:00:00+01:00",
    "durationMin": 30,
    "exercises": [{"exerciseId": RUNNING_6MPH, "distanceKm": 4.8}],
}


async def _workouts(e2e: Endpoints, user_id: str, title: str) -> tuple[int, int]:
    """(rows, created events in the outbox) of the user's workouts with this title."""
    async with await psycopg.AsyncConnection.connect(e2e.pg_admin_url, autocommit=True) as db:
        cur = await db.execute(
            "SELECT count(*) FROM training.workouts WHERE user_id = %s AND title = %s",
            (user_id, title),
        )
        rows = (await cur.fetchone() or (0,))[0]
        cur = await db.execute(
            "SELECT count(*) FROM training.outbox WHERE key = %s"
            " AND event_type = 'training.workout.created.v1'",
            (user_id,),
        )
        events = (await cur.fetchone() or (0,))[0]
    return int(rows), int(events)


async def test_retried_post_is_replayed_once_through_the_gateway(
    gw: httpx.AsyncClient, account: Account, e2e: Endpoints
) -> None:
    headers = {**account.auth, "Idempotency-Key": str(uuid.uuid4())}
    first = await gw.post("/workouts", json=WORKOUT, headers=headers)
    assert first.status_code == 201, first.text
    again = await gw.post("/workouts", json=WORKOUT, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert await _workouts(e2e, account.id, WORKOUT["title"]) == (1, 1)

    other = await gw.post("/workouts", json={**WORKOUT, "durationMin": 31}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"].endswith("/idempotency-key-reused")
    bad = await gw.post("/workouts", json=WORKOUT, headers={**account.auth, "Idempotency-Key": ""})
    assert bad.status_code == 400
    assert await _workouts(e2e, account.id, WORKOUT["title"]) == (1, 1)


async def test_concurrent_duplicates_make_one_workout(
    gw: httpx.AsyncClient, account: Account, e2e: Endpoints
) -> None:
    body = {**WORKOUT, "title": "Double tap"}
    headers = {**account.auth, "Idempotency-Key": str(uuid.uuid4())}
    answers = await asyncio.gather(
        *(gw.post("/workouts", json=body, headers=headers) for _ in range(4))
    )
    # each is the first answer, its replay, or a 409 while the first one runs
    assert {r.status_code for r in answers} <= {201, 409}
    created = [r for r in answers if r.status_code == 201]
    assert created
    assert len({r.content for r in created}) == 1
    for r in answers:
        if r.status_code == 409:
            assert r.json()["type"].endswith("/idempotency-key-in-use")
    assert await _workouts(e2e, account.id, "Double tap") == (1, 1)


async def test_retry_after_a_dropped_connection_makes_one_workout(
    gw: httpx.AsyncClient, account: Account, e2e: Endpoints
) -> None:
    body = orjson.dumps({**WORKOUT, "title": "Tunnel"})
    key = str(uuid.uuid4())
    url = urlsplit(e2e.gateway_url)
    raw = (
        f"POST /workouts HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Bearer {account.access}\r\nIdempotency-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80)) as sock:
        sock.sendall(raw)  # the phone sends and loses the connection before the answer
    headers = {**account.auth, "Idempotency-Key": key, "Content-Type": "application/json"}

    async def settled() -> httpx.Response | None:
        r = await gw.post("/workouts", content=body, headers=headers)
        return None if r.status_code == 409 else r

    retry = await wait_until(settled, timeout=30, message="retry stayed 409")
    assert retry.status_code == 201, retry.text
    assert await _workouts(e2e, account.id, "Tunnel") == (1, 1)


async def test_login_with_a_key_is_replayed(gw: httpx.AsyncClient, account: Account) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    creds = {"email": account.email, "password": account.password}
    first = await gw.post("/auth/login", json=creds, headers=headers)
    again = await gw.post("/auth/login", json=creds, headers=headers)
    assert first.status_code == 200, first.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


async def test_profile_etag_304_and_stale_if_match_412(
    gw: httpx.AsyncClient, account: Account
) -> None:
    first = await gw.get("/users/me", headers=account.auth)
    etag = first.headers["etag"]
    cached = await gw.get("/users/me", headers={**account.auth, "If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    # device A changes the profile; device B still holds the old ETag
    assert (
        await gw.put("/users/me", json={"heightCm": 181}, headers=account.auth)
    ).status_code == 200
    stale = await gw.put(
        "/users/me", json={"heightCm": 170}, headers={**account.auth, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    now = await gw.get("/users/me", headers=account.auth)
    assert now.json()["heightCm"] == 181
    ok = await gw.put(
        "/users/me",
        json={"heightCm": 170},
        headers={**account.auth, "If-Match": now.headers["etag"]},
    )
    assert ok.status_code == 200, ok.text
    after = await gw.get("/users/me", headers=account.auth)
    assert after.json()["heightCm"] == 170
    # The conditional write's answer carries the new ETag, through the gateway too.
    assert ok.headers["etag"] == after.headers["etag"] != now.headers["etag"]


async def test_stale_if_match_on_delete_keeps_the_workout(
    gw: httpx.AsyncClient, account: Account
) -> None:
    created = await gw.post("/workouts", json={**WORKOUT, "title": "Keep me"}, headers=account.auth)
    url = created.headers["location"]
    etag = (await gw.get(url, headers=account.auth)).headers["etag"]
    assert (
        await gw.put(url, json={**WORKOUT, "title": "Kept"}, headers=account.auth)
    ).status_code == 200
    stale = await gw.delete(url, headers={**account.auth, "If-Match": etag})
    assert stale.status_code == 412
    current = await gw.get(url, headers=account.auth)
    assert current.status_code == 200
    assert current.json()["title"] == "Kept"
    gone = await gw.delete(url, headers={**account.auth, "If-Match": current.headers["etag"]})
    assert gone.status_code == 204
    assert (await gw.get(url, headers=account.auth)).status_code == 404


async def test_merged_openapi_documents_the_headers(gw: httpx.AsyncClient) -> None:
    spec = (await gw.get("/openapi.json")).json()
    posts = [
        (path, op) for path, ops in spec["paths"].items() for m, op in ops.items() if m == "post"
    ]
    assert posts
    for path, op in posts:
        names = {p["name"] for p in op.get("parameters", [])}
        assert "Idempotency-Key" in names, path
        assert {"409", "422"} <= set(op["responses"]), path
    workout = spec["paths"]["/workouts/{workout_id}"]
    assert "304" in workout["get"]["responses"]
    assert "412" in workout["put"]["responses"]
    assert "412" in workout["delete"]["responses"]
