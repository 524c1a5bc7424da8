"""POST/GET/DELETE /progress/weight: upsert per day, trend beside the raw value, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from progress.domain import trend

pytestmark = pytest.mark.usefixtures("app")


async def post(client, user, day: str, kg: float, **extra):
    return await client.post(
        "/progress/weight", json={"date": day, "weightKg": kg, **extra}, headers=user.headers
    )


async def test_first_is_201_same_day_replaces_with_200(client, user, db, scalar) -> None:
    first = await post(client, user, "2026-01-05", 80.0, bodyFatPct=22.5, note="morning")
    assert first.status_code == 201, first.text
    assert first.headers["location"] == "/progress/weight/2026-01-05"
    assert first.json()["trendWeightKg"] == 80.0
    again = await post(client, user, "2026-01-05", 79.4)
    assert again.status_code == 200
    assert again.json()["weightKg"] == 79.4
    assert again.json()["bodyFatPct"] is None
    assert await scalar(db, "SELECT count(*) FROM weights WHERE user_id = %s", user.id) == 1
    events = await (
        await db.execute("SELECT payload FROM outbox WHERE key = %s ORDER BY id", (str(user.id),))
    ).fetchall()
    assert [e[0]["replaced"] for e in events] == [False, True]
    assert events[1][0]["weightKg"] == 79.4
    got = await client.get("/progress/weight/2026-01-05", headers=user.headers)
    assert got.status_code == 200
    assert got.json()["weightKg"] == 79.4


async def test_list_has_trend_and_backfill_retrends_later_days(client, user) -> None:
    for day, kg in [("2026-02-01", 80.0), ("2026-02-03", 81.0), ("2026-02-04", 79.0)]:
        assert (await post(client, user, day, kg)).status_code == 201
    body = (await client.get("/progress/weight", headers=user.headers)).json()
    assert body["total"] == 3
    assert [i["trendWeightKg"] for i in body["items"]] == [80.0, 80.1, 79.99]
    # A forgotten day inserted in the middle changes every later trend.
    assert (await post(client, user, "2026-02-02", 82.0)).status_code == 201
    body = (
        await client.get(
            "/progress/weight",
            params={"from": "2026-02-01", "to": "2026-02-28"},
            headers=user.headers,
        )
    ).json()
    expected = trend.series([80.0, 82.0, 81.0, 79.0])
    assert [i["trendWeightKg"] for i in body["items"]] == [round(t, 2) for t in expected]
    assert [i["date"] for i in body["items"]] == [
        "2026-02-01",
        "2026-02-02",
        "2026-02-03",
        "2026-02-04",
    ]
    # Deleting it restores the old trends.
    assert (
        await client.delete("/progress/weight/2026-02-02", headers=user.headers)
    ).status_code == 204
    body = (await client.get("/progress/weight", headers=user.headers)).json()
    assert [i["trendWeightKg"] for i in body["items"]] == [80.0, 80.1, 79.99]
    page2 = (
        await client.get("/progress/weight", params={"page": 2, "limit": 2}, headers=user.headers)
    ).json()
    assert page2["total"] == 3
    assert [i["date"] for i in page2["items"]] == ["2026-02-04"]
    empty = (
        await client.get("/progress/weight", params={"page": 5, "limit": 2}, headers=user.headers)
    ).json()
    assert empty["total"] == 3
    assert empty["items"] == []


async def test_delete_publishes_and_unknown_day_is_404(client, user, db) -> None:
    assert (await post(client, user, "2026-03-01", 70.0)).status_code == 201
    assert (
        await client.delete("/progress/weight/2026-03-01", headers=user.headers)
    ).status_code == 204
    assert (
        await client.delete("/progress/weight/2026-03-01", headers=user.headers)
    ).status_code == 404
    types = await (
        await db.execute(
            "SELECT event_type FROM outbox WHERE key = %s ORDER BY id", (str(user.id),)
        )
    ).fetchall()
    assert [t[0] for t in types] == ["progress.weight.recorded.v1", "progress.weight.deleted.v1"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"date": "2026-01-01", "weightKg": 0}, "body.weightKg"),
        ({"date": "2026-01-01", "weightKg": 401}, "body.weightKg"),
        ({"date": "2026-01-01", "weightKg": 80, "bodyFatPct": 90}, "body.bodyFatPct"),
        ({"date": "1899-12-31", "weightKg": 80}, "body.date"),
        ({"date": "01/02/2026", "weightKg": 80}, "body.date"),
        ({"date": "2026-01-01", "weightKg": 80, "userId": "x"}, "body.userId"),
        ({"date": "2026-01-01", "weightKg": 80, "trendWeightKg": 1}, "body.trendWeightKg"),
        ({"date": "2026-01-01", "weightKg": 80, "note": "x" * 501}, "body.note"),
    ],
)
async def test_bad_input_is_422_and_writes_nothing(client, user, db, scalar, body, path) -> None:
    resp = await client.post("/progress/weight", json=body, headers=user.headers)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert path in [e["path"] for e in resp.json()["errors"]]
    assert await scalar(db, "SELECT count(*) FROM weights WHERE user_id = %s", user.id) == 0
    assert await scalar(db, "SELECT count(*) FROM outbox WHERE key = %s", str(user.id)) == 0


async def test_future_date_is_422(client, user, db, scalar) -> None:
    future = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    resp = await post(client, user, future, 80.0)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "body.date"
    assert await scalar(db, "SELECT count(*) FROM weights WHERE user_id = %s", user.id) == 0


async def test_from_after_to_is_422(client, user) -> None:
    resp = await client.get(
        "/progress/weight", params={"from": "2026-02-02", "to": "2026-02-01"}, headers=user.headers
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "query.from"


async def test_other_users_entries_are_invisible(client, user, other_user) -> None:
    assert (await post(client, user, "2026-04-01", 70.0)).status_code == 201
    assert (
        await client.get("/progress/weight/2026-04-01", headers=other_user.headers)
    ).status_code == 404
    assert (
        await client.delete("/progress/weight/2026-04-01", headers=other_user.headers)
    ).status_code == 404
    assert (await client.get("/progress/weight", headers=other_user.headers)).json()["total"] == 0
    assert (
        await client.get("/progress/weight/2026-04-01", headers=user.headers)
    ).status_code == 200


async def test_no_token_is_401(client) -> None:
    assert (await client.get("/progress/weight")).status_code == 401


async def test_ready_checks_include_s3(client) -> None:
    resp = await client.get("/health/ready")
    assert resp.status_code == 200
    assert resp.json()["checks"]["s3"] == "ok"
