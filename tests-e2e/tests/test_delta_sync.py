"""Delta sync through the gateway, as two phones of one user see it (issue 15).

``device`` and ``other_device`` are two real logins of the same account (two sessions, two
access tokens). For every list a client mirrors, ``other_device`` edits one item and deletes
another; ``device``'s ``?updatedSince=<cursor>`` returns the edit in ``items`` and the deletion in
``deleted``, the next cursor an empty delta, an expired cursor a 410 and a malformed one a 422
(fitness_platform.testing.delta_sync_round_trip). The gateway passes the query and the problem
answers through unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from itertools import count

import httpx
import pytest

from e2e.accounts import Account, register_and_login
from fitness_platform.testing import delta_sync_round_trip, delta_until_empty

Headers = dict[str, str]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # the confirm step checks the signature


@pytest.fixture
async def phones(gw: httpx.AsyncClient) -> tuple[Account, Headers]:
    """An account logged in on one phone, and a second login of it (the other phone)."""
    acc = await register_and_login(gw, name="Two phones")
    login = await gw.post("/auth/login", json={"email": acc.email, "password": acc.password})
    assert login.status_code == 200, login.text
    other = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    assert other != acc.auth
    return acc, other


def _ok(expected: int) -> Callable[[httpx.Response], httpx.Response]:
    def check(resp: httpx.Response) -> httpx.Response:
        assert resp.status_code == expected, f"{resp.request.url}: {resp.status_code} {resp.text}"
        return resp

    return check


created, edited, gone = _ok(201), _ok(200), _ok(204)


async def _round_trip(
    gw: httpx.AsyncClient,
    phones: tuple[Account, Headers],
    path: str,
    create: Callable[[Headers], Awaitable[str]],
    change: Callable[[Headers, str], Awaitable[None]],
    *,
    delete_path: str | None = None,
    key: str = "id",
) -> dict[str, object]:
    acc, other = phones

    async def remove(headers: Headers, item: str) -> None:
        gone(await gw.delete(f"{delete_path or path}/{item}", headers=headers))

    return await delta_sync_round_trip(
        gw,
        path,
        device=acc.auth,
        other_device=other,
        create=create,
        change=change,
        remove=remove,
        key=key,
    )


async def test_workouts(gw: httpx.AsyncClient, phones: tuple[Account, Headers]) -> None:
    def body(title: str) -> dict[str, object]:
        started = datetime.now(UTC) - timedelta(hours=3)
        return {"title": title, "startedAt": started.isoformat(), "durationMin": 30}

    async def create(headers: Headers) -> str:
        return str(
            created(await gw.post("/workouts", json=body("Run"), headers=headers)).json()["id"]
        )

    async def change(headers: Headers, workout_id: str) -> None:
        edited(await gw.put(f"/workouts/{workout_id}", json=body("Edited"), headers=headers))

    delta = await _round_trip(gw, phones, "/workouts", create, change)
    assert delta["items"][0]["title"] == "Edited"  # type: ignore[index]


async def test_weight_entries(gw: httpx.AsyncClient, phones: tuple[Account, Headers]) -> None:
    days = iter(["2026-02-01", "2026-02-02"])

    async def create(headers: Headers) -> str:
        day = next(days)
        created(
            await gw.post("/progress/weight", json={"date": day, "weightKg": 80.0}, headers=headers)
        )
        return day

    async def change(headers: Headers, day: str) -> None:
        edited(
            await gw.post("/progress/weight", json={"date": day, "weightKg": 78.5}, headers=headers)
        )

    delta = await _round_trip(gw, phones, "/progress/weight", create, change, key="date")
    assert delta["items"][0]["weightKg"] == 78.5  # type: ignore[index]


async def test_goals(gw: httpx.AsyncClient, phones: tuple[Account, Headers]) -> None:
    async def create(headers: Headers) -> str:
        body = {"type": "workouts_per_week", "workoutsPerWeek": 3}
        return str(created(await gw.post("/goals", json=body, headers=headers)).json()["id"])

    async def change(headers: Headers, goal_id: str) -> None:
        edited(await gw.patch(f"/goals/{goal_id}", json={"title": "Edited"}, headers=headers))

    delta = await _round_trip(gw, phones, "/goals", create, change)
    assert delta["items"][0]["title"] == "Edited"  # type: ignore[index]


async def test_media(gw: httpx.AsyncClient, phones: tuple[Account, Headers]) -> None:
    uploads: dict[str, dict[str, object]] = {}
    body = {"filename": "p.png", "contentType": "image/png", "sizeBytes": len(PNG)}

    async def create(headers: Headers) -> str:
        asset = created(
            await gw.post(
                "/media/upload", json=body | {"purpose": "progress_photo"}, headers=headers
            )
        ).json()
        uploads[asset["id"]] = asset["upload"]
        return str(asset["id"])

    async def change(headers: Headers, asset_id: str) -> None:
        upload = uploads[asset_id]
        async with httpx.AsyncClient(timeout=30) as s3:  # straight to S3, as the phone does
            put = await s3.put(str(upload["url"]), content=PNG, headers=upload["headers"])  # type: ignore[arg-type]
        assert put.status_code == 200, put.text
        edited(await gw.post(f"/media/{asset_id}/confirm", headers=headers))

    delta = await _round_trip(gw, phones, "/media", create, change)
    assert delta["items"][0]["status"] == "ready"  # type: ignore[index]


async def test_diary_and_calculation_history(
    gw: httpx.AsyncClient, phones: tuple[Account, Headers]
) -> None:
    # The diary lists one day (`date`) or a delta: the same checks, spelled out.
    acc, other = phones
    grams = count(10, 10)

    async def log_meal(headers: Headers) -> str:
        entry = {
            "date": "2026-03-02",
            "mealSlot": "breakfast",
            "foodId": 1001,
            "grams": next(grams),
        }
        return str(
            created(await gw.post("/nutrition/diary", json=entry, headers=headers)).json()["id"]
        )

    kept, removed = await log_meal(acc.auth), await log_meal(acc.auth)
    day = edited(await gw.get("/nutrition/diary", params={"date": "2026-03-02"}, headers=acc.auth))
    cursor = day.json()["cursor"]
    history = edited(await gw.get("/nutrition/history", headers=acc.auth)).json()["cursor"]
    added = await log_meal(other)
    gone(await gw.delete(f"/nutrition/diary/{removed}", headers=other))
    calc = {
        "gender": "female",
        "age": 30,
        "heightCm": 165,
        "weightKg": 60,
        "activityLevel": "moderate",
        "goal": "maintain",
    }
    saved = created(await gw.post("/nutrition/save", json=calc, headers=other)).json()["id"]

    delta = edited(
        await gw.get("/nutrition/diary", params={"updatedSince": cursor}, headers=acc.auth)
    ).json()
    # What came before the cursor may come once more (another transaction of the cluster was
    # open when it was taken: fitness_platform.sync); nothing else may.
    ids = [i["id"] for i in delta["items"]]
    assert added in ids
    assert set(ids) <= {added, kept}
    assert delta["deleted"] == [removed]
    await delta_until_empty(
        gw,
        "/nutrition/diary",
        delta["cursor"],
        headers=acc.auth,
        items={added, kept},
        deleted={removed},
    )
    calcs = edited(
        await gw.get("/nutrition/history", params={"updatedSince": history}, headers=acc.auth)
    ).json()
    assert [i["id"] for i in calcs["items"]] == [saved]
    bad = await gw.get("/nutrition/diary", params={"updatedSince": "x"}, headers=acc.auth)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
