"""/nutrition/achievements: weekly check from the diary, stored and announced once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nutrition.domain import achievements as rules


async def log_week(client, user, me, start, days=7) -> None:
    for i in range(days):
        resp = await client.post(
            "/nutrition/diary",
            json={
                "date": str(start + timedelta(days=i)),
                "mealSlot": "dinner",
                "customItem": {
                    "name": "Planned day",
                    "grams": 1500,
                    "kcal": me["dailyCalories"],
                    "proteinG": me["macros"]["proteinG"],
                    "fatG": me["macros"]["fatG"],
                    "carbsG": me["macros"]["carbsG"],
                },
            },
            headers=user.headers,
        )
        assert resp.status_code == 201, resp.text


async def test_check_twice_stores_and_announces_once(
    client, user, other_user, calc_body, db, rows
) -> None:
    me = (await client.post("/nutrition/save", json=calc_body, headers=user.headers)).json()
    start, end = rules.last_completed_week(datetime.now(UTC), "UTC")
    await log_week(client, user, me, start)

    first = await client.post("/nutrition/achievements/check", headers=user.headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["weekStart"], body["weekEnd"]) == (str(start), str(end))
    codes = {a["code"] for a in body["unlocked"]}
    assert codes == set(rules.ACHIEVEMENT_CODES)
    assert body["alreadyUnlocked"] == []

    second = (await client.post("/nutrition/achievements/check", headers=user.headers)).json()
    assert second["unlocked"] == []
    assert {a["code"] for a in second["alreadyUnlocked"]} == codes

    stored = await rows(db, "SELECT code FROM achievements WHERE user_id = %s", user.id)
    assert sorted(r[0] for r in stored) == sorted(codes)
    events = await rows(
        db,
        "SELECT payload FROM outbox WHERE key = %s AND event_type = 'nutrition.achievement.unlocked.v1'",
        str(user.id),
    )
    assert sorted(e[0]["code"] for e in events) == sorted(codes)
    assert all(e[0]["weekStart"] == str(start) for e in events)

    listed = (await client.get("/nutrition/achievements", headers=user.headers)).json()
    assert listed["total"] == 3
    assert (await client.get("/nutrition/achievements", headers=other_user.headers)).json()[
        "total"
    ] == 0
    assert (await client.post("/nutrition/achievements/check", headers=other_user.headers)).json()[
        "unlocked"
    ] == []


async def test_partial_week_and_the_scheduled_job(
    client, user, calc_body, session_factory, db, rows
) -> None:
    from nutrition.achievements.jobs import check_all_users

    me = (await client.post("/nutrition/save", json=calc_body, headers=user.headers)).json()
    start, _ = rules.last_completed_week(datetime.now(UTC), "UTC")
    await log_week(client, user, me, start, days=5)  # 5 of 7: targets yes, every day no

    await check_all_users(session_factory)
    await check_all_users(session_factory)  # idempotent
    stored = await rows(db, "SELECT code FROM achievements WHERE user_id = %s", user.id)
    assert sorted(r[0] for r in stored) == sorted(
        [rules.CALORIE_TARGET_5_OF_7, rules.PROTEIN_TARGET_5_OF_7]
    )
