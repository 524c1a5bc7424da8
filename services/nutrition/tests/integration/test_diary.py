"""/nutrition/diary: logging, day totals vs targets, delete, BOLA, intake events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


async def test_diary_totals_targets_and_events(client, user, calc_body, db, rows) -> None:
    await client.post("/nutrition/save", json=calc_body, headers=user.headers)
    day = "2026-03-02"
    butter = await client.post(
        "/nutrition/diary",
        json={"date": day, "mealSlot": "breakfast", "foodId": 1001, "grams": 10},
        headers=user.headers,
    )
    assert butter.status_code == 201, butter.text
    entry = butter.json()
    assert butter.headers["Location"] == f"/nutrition/diary/{entry['id']}"
    assert entry["nutrients"]["kcal"] == 71.7
    assert entry["name"] == "Butter, salted"
    custom = await client.post(
        "/nutrition/diary",
        json={
            "date": day,
            "mealSlot": "lunch",
            "customItem": {
                "name": "Grandma's soup",
                "grams": 300,
                "kcal": 250,
                "proteinG": 12,
                "fatG": 8,
                "carbsG": 30,
            },
        },
        headers=user.headers,
    )
    assert custom.status_code == 201, custom.text

    diary = (await client.get(f"/nutrition/diary?date={day}", headers=user.headers)).json()
    assert [e["id"] for e in diary["entries"]] == [entry["id"], custom.json()["id"]]
    assert diary["totals"]["kcal"] == 321.7
    assert diary["totals"]["proteinG"] == round(0.1 + 12, 1)
    assert diary["totals"]["fiberG"] is None  # the custom item did not say
    me = (await client.get("/nutrition/me", headers=user.headers)).json()
    assert diary["targets"]["kcal"] == me["dailyCalories"]
    assert diary["remaining"]["kcal"] == round(me["dailyCalories"] - 321.7, 1)

    events = await rows(
        db,
        "SELECT payload FROM outbox WHERE key = %s AND event_type = %s ORDER BY id",
        str(user.id),
        "nutrition.intake.logged.v1",
    )
    assert [e[0]["dayTotals"]["kcal"] for e in events] == [71.7, 321.7]
    assert events[-1][0]["day"] == day

    assert (
        await client.delete(f"/nutrition/diary/{entry['id']}", headers=user.headers)
    ).status_code == 204
    after = (await client.get(f"/nutrition/diary?date={day}", headers=user.headers)).json()
    assert after["totals"]["kcal"] == 250
    events = await rows(
        db,
        "SELECT payload FROM outbox WHERE key = %s AND event_type = %s ORDER BY id",
        str(user.id),
        "nutrition.intake.logged.v1",
    )
    assert events[-1][0]["dayTotals"]["kcal"] == 250


async def test_diary_bola_and_validation(client, user, other_user) -> None:
    created = await client.post(
        "/nutrition/diary",
        json={"mealSlot": "snack", "foodId": 1001, "grams": 5},
        headers=user.headers,
    )
    assert created.status_code == 201
    entry_id = created.json()["id"]
    # Default date: today in the user's timezone (UTC without a profile).
    assert created.json()["date"] == str(datetime.now(UTC).date())
    for method in ("GET", "DELETE"):
        r = await client.request(method, f"/nutrition/diary/{entry_id}", headers=other_user.headers)
        assert r.status_code == 404, method
    other_day = (await client.get("/nutrition/diary", headers=other_user.headers)).json()
    assert other_day["entries"] == []
    assert other_day["targets"] is None
    assert (
        await client.get(f"/nutrition/diary/{entry_id}", headers=user.headers)
    ).status_code == 200

    bad_bodies = [
        {"mealSlot": "snack", "foodId": 1001},  # no grams
        {"mealSlot": "snack"},
        {"mealSlot": "brunch", "foodId": 1001, "grams": 5},
        {"mealSlot": "snack", "foodId": 999_999, "grams": 5},  # unknown food
        {"mealSlot": "snack", "foodId": 1001, "grams": -1},
        {"mealSlot": "snack", "foodId": 1001, "grams": 5, "userId": str(other_user.id)},
        {"mealSlot": "snack", "foodId": 1001, "grams": 5, "date": "1900-01-01"},
        {
            "mealSlot": "snack",
            "foodId": 1001,
            "grams": 5,
            "date": str(date.today() + timedelta(days=10)),
        },
    ]
    for body in bad_bodies:
        r = await client.post("/nutrition/diary", json=body, headers=user.headers)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
