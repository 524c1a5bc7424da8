"""Progress through the gateway: weights over several weeks + a workout (training) + diary
entries (nutrition) → the summary's totals equal the inputs (via Kafka read models); the weekly
report's chart URL downloads a PNG; a forecast for a sample profile; account deletion erases
every progress row and chart object."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import psycopg
from minio import Minio

from e2e.accounts import register_and_login
from fitness_platform.testing import wait_until
from fitness_stack.endpoints import Endpoints

PROFILE = {
    "birthDate": "1988-03-02",
    "gender": "male",
    "heightCm": 180,
    "weightKg": 92.0,
    "activityLevel": "light",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
    "timezone": "UTC",
}
BUCKET = "progress-reports"  # PROGRESS_S3_BUCKET's default
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _chart_keys(e2e: Endpoints, user_id: str) -> list[str]:
    client = Minio(
        e2e.s3_endpoint.split("://", 1)[-1],
        access_key=e2e.s3_access_key,
        secret_key=e2e.s3_secret_key,
        secure=e2e.s3_endpoint.startswith("https"),
    )
    prefix = f"reports/{user_id}/"
    return [str(o.object_name) for o in client.list_objects(BUCKET, prefix=prefix, recursive=True)]


async def _progress_rows(admin_url: str, user_id: str) -> int:
    async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as conn:
        tables = await (
            await conn.execute(
                "SELECT c.table_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema = 'progress' AND c.column_name = 'user_id' "
                "AND t.table_type = 'BASE TABLE'"
            )
        ).fetchall()
        total = 0
        for (table,) in tables:
            row = await (
                await conn.execute(
                    f'SELECT count(*) FROM progress."{table}" WHERE user_id = %s',  # noqa: S608
                    (user_id,),
                )
            ).fetchone()
            total += row[0] if row else 0
    return total


async def test_progress_flow(gw: httpx.AsyncClient, e2e: Endpoints) -> None:
    acc = await register_and_login(gw, name="Progress")
    assert (await gw.put(f"/users/{acc.id}", headers=acc.auth, json=PROFILE)).status_code == 200
    today = datetime.now(UTC).date()

    # Four weeks of daily weigh-ins, losing 0.05 kg a day.
    weights = {today - timedelta(days=27 - i): round(92.0 - 0.05 * i, 2) for i in range(28)}
    for day, kg in weights.items():
        r = await gw.post(
            "/progress/weight", headers=acc.auth, json={"date": day.isoformat(), "weightKg": kg}
        )
        assert r.status_code == 201, r.text

    yesterday = today - timedelta(days=1)
    r = await gw.post(
        "/workouts",
        headers=acc.auth,
        json={
            "title": "Evening run",
            "startedAt": datetime.combine(yesterday, time(10, 0), UTC).isoformat(),
            "durationMin": 45,
            "caloriesBurned": 420,
        },
    )
    assert r.status_code == 201, r.text
    diary: dict[Any, float] = {yesterday: 650.0, today - timedelta(days=2): 1800.0}
    for day, kcal in diary.items():
        r = await gw.post(
            "/nutrition/diary",
            headers=acc.auth,
            json={
                "date": day.isoformat(),
                "mealSlot": "dinner",
                "customItem": {
                    "name": "Pasta",
                    "grams": 400,
                    "kcal": kcal,
                    "proteinG": 30,
                    "fatG": 20,
                    "carbsG": 100,
                },
            },
        )
        assert r.status_code == 201, r.text

    async def summary_complete() -> dict[str, Any] | None:
        r = await gw.get("/progress/summary", headers=acc.auth, params={"period": "month"})
        body = r.json()
        ok = body["workouts"]["count"] == 1 and body["intake"]["daysLogged"] == 2
        return body if ok else None

    summary = await wait_until(summary_complete, timeout=60, interval=0.5, message="read models")
    assert summary["workouts"] == {"count": 1, "minutes": 45, "kcalBurned": 420.0}
    assert summary["intake"]["kcalEaten"] == sum(diary.values())
    assert summary["weight"]["weighIns"] == 28
    assert summary["weight"]["startKg"] == weights[min(weights)]
    assert summary["weight"]["endKg"] == weights[today]
    assert summary["weight"]["changeKg"] == round(weights[today] - weights[min(weights)], 2)

    listed = (await gw.get("/progress/weight", headers=acc.auth, params={"limit": 100})).json()
    assert listed["total"] == 28
    assert all(i["trendWeightKg"] >= i["weightKg"] for i in listed["items"])  # a falling series

    # 201, or 200 when the worker's Monday job got there first (this user is active last week).
    r = await gw.post("/progress/weekly-report", headers=acc.auth, json={})
    assert r.status_code in (200, 201), r.text
    report = r.json()
    assert len(report["days"]) == 7
    assert report["totals"]["weighIns"] == 7
    async with httpx.AsyncClient(timeout=30) as s3:
        image = await s3.get(report["chart"]["url"])
    assert image.status_code == 200
    assert image.content.startswith(PNG_MAGIC)

    async def forecast() -> dict[str, Any] | None:
        r = await gw.post(
            "/progress/forecast",
            headers=acc.auth,
            json={"horizonDays": 180, "targetWeightKg": 88, "calorieChangeKcal": -400},
        )
        return r.json() if r.status_code == 200 else None  # 409 until the profile arrives

    fc = await wait_until(forecast, timeout=60, interval=0.5, message="profile read model")
    assert fc["method"] == "hall-2011-dynamic"
    assert fc["points"][-1]["expectedKg"] < fc["startWeightKg"]
    assert fc["points"][-1]["lowerKg"] < fc["points"][-1]["upperKg"]
    assert fc["target"]["expectedDate"] is not None

    assert _chart_keys(e2e, acc.id)
    assert (await gw.delete(f"/users/{acc.id}", headers=acc.auth)).status_code == 204

    async def erased() -> bool:
        return await _progress_rows(e2e.pg_admin_url, acc.id) == 0 and not _chart_keys(e2e, acc.id)

    await wait_until(erased, timeout=60, interval=0.5, message="progress erasure")
