"""/nutrition/calculate, /save, /me, /history, /calculations/{id}."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nutrition.calculations.cache import cache_key
from nutrition.calculations.schemas import CalculationInput
from nutrition.domain import energy


async def test_calculate_returns_the_domain_values_and_caches(
    client, user, calc_body, redis_client
) -> None:
    first = await client.post("/nutrition/calculate", json=calc_body, headers=user.headers)
    assert first.status_code == 200, first.text
    expected = energy.energy_targets(
        sex="male",
        age=30,
        height_cm=180,
        weight_kg=80,
        activity_level="moderate",
        goal="lose",
        target_rate_kg_per_week=0.5,
    )
    body = first.json()
    assert body["bmr"] == expected.bmr
    assert body["bmrFormula"] == "mifflin_st_jeor"
    assert body["tdee"] == expected.tdee
    assert body["dailyCalories"] == expected.daily_calories
    assert body["macros"]["proteinG"] == expected.macros.protein_g
    assert body["macros"]["carbsPct"] == expected.macros.carbs_pct
    assert body["fiberG"] == expected.fiber_g
    assert first.headers["X-Cache"] == "miss"

    second = await client.post("/nutrition/calculate", json=calc_body, headers=user.headers)
    assert second.headers["X-Cache"] == "hit"
    assert second.json() == body
    key = cache_key(CalculationInput.model_validate(calc_body), "v1")
    assert 0 < await redis_client.ttl(key) <= 300


async def test_calculate_serves_a_cached_value_without_recomputing(
    client, user, calc_body, redis_client
) -> None:
    calc_body["weightKg"] = 81.5
    first = (await client.post("/nutrition/calculate", json=calc_body, headers=user.headers)).json()
    key = cache_key(CalculationInput.model_validate(calc_body), "v1")
    planted = {**first, "dailyCalories": 1234.0}
    import orjson

    await redis_client.set(key, orjson.dumps(planted), ex=60)
    again = await client.post("/nutrition/calculate", json=calc_body, headers=user.headers)
    assert again.json()["dailyCalories"] == 1234.0


async def test_katch_mcardle_and_warnings(client, user) -> None:
    body = {
        "gender": "female",
        "age": 40,
        "heightCm": 150,
        "weightKg": 50,
        "activityLevel": "sedentary",
        "bodyFatPct": 30,
        "goal": "lose",
        "targetRateKgPerWeek": 1.0,
    }
    resp = await client.post("/nutrition/calculate", json=body, headers=user.headers)
    assert resp.status_code == 200
    data = resp.json()
    assert data["bmrFormula"] == "katch_mcardle"
    codes = {w["code"] for w in data["warnings"]}
    assert {"rate_above_recommended", "calorie_floor_applied"} <= codes
    assert data["dailyCalories"] == 1200


async def test_calculate_validation_is_a_problem(client, user, calc_body) -> None:
    for field, value in [
        ("age", 12),
        ("heightCm", 251),
        ("weightKg", 24.9),
        ("targetRateKgPerWeek", 1.6),
        ("activityLevel", "couch"),
    ]:
        resp = await client.post(
            "/nutrition/calculate", json={**calc_body, field: value}, headers=user.headers
        )
        assert resp.status_code == 422, (field, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert any(e["path"] == f"body.{field}" for e in resp.json()["errors"])
    extra = await client.post(
        "/nutrition/calculate", json={**calc_body, "role": "admin"}, headers=user.headers
    )
    assert extra.status_code == 422
    body_fat = await client.post(
        "/nutrition/calculate", json={**calc_body, "bodyFatPct": 71}, headers=user.headers
    )
    assert body_fat.status_code == 422


async def test_calculate_needs_a_token(client, calc_body) -> None:
    resp = await client.post("/nutrition/calculate", json=calc_body)
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_save_history_me_and_event(client, user, other_user, calc_body, db, rows) -> None:
    assert (await client.get("/nutrition/me", headers=user.headers)).status_code == 404

    saved = await client.post("/nutrition/save", json=calc_body, headers=user.headers)
    assert saved.status_code == 201, saved.text
    location = saved.headers["Location"]
    calc = saved.json()
    assert location == f"/nutrition/calculations/{calc['id']}"
    assert calc["reason"] == "manual"
    assert calc["input"]["weightKg"] == 80

    assert (await client.get(location, headers=user.headers)).json()["id"] == calc["id"]
    assert (await client.get(location, headers=other_user.headers)).status_code == 404

    me = (await client.get("/nutrition/me", headers=user.headers)).json()
    assert me["source"] == "saved"
    assert me["id"] == calc["id"]
    assert (await client.get("/nutrition/me", headers=other_user.headers)).status_code == 404

    history = (await client.get("/nutrition/history", headers=user.headers)).json()
    assert history["total"] == 1
    assert history["items"][0]["id"] == calc["id"]
    assert (await client.get("/nutrition/history", headers=other_user.headers)).json()["total"] == 0

    events = await rows(
        db,
        "SELECT event_type, topic, key, payload FROM outbox WHERE key = %s",
        str(user.id),
    )
    assert len(events) == 1
    event_type, topic, _key, payload = events[0]
    assert (event_type, topic) == ("nutrition.targets.calculated.v1", "nutrition.targets")
    assert payload["calculationId"] == calc["id"]
    assert payload["reason"] == "manual"
    assert payload["dailyCalories"] == calc["dailyCalories"]


async def test_history_pagination_and_dates(client, user, calc_body) -> None:
    ids = []
    for weight in (70, 71, 72):
        resp = await client.post(
            "/nutrition/save", json={**calc_body, "weightKg": weight}, headers=user.headers
        )
        ids.append(resp.json()["id"])
    page1 = (await client.get("/nutrition/history?limit=2", headers=user.headers)).json()
    page2 = (await client.get("/nutrition/history?limit=2&page=2", headers=user.headers)).json()
    assert (page1["total"], page1["page"], page1["limit"]) == (3, 1, 2)
    assert [i["id"] for i in page1["items"] + page2["items"]] == list(reversed(ids))
    latest: dict[str, Any] = (await client.get("/nutrition/me", headers=user.headers)).json()
    assert latest["id"] == ids[-1]

    today = datetime.now(UTC).date()
    tomorrow = today + timedelta(days=1)
    empty = await client.get(f"/nutrition/history?from={tomorrow}", headers=user.headers)
    assert empty.json()["total"] == 0
    both = await client.get(f"/nutrition/history?from={today}&to={today}", headers=user.headers)
    assert both.json()["total"] == 3
    bad = await client.get(f"/nutrition/history?from={tomorrow}&to={today}", headers=user.headers)
    assert bad.status_code == 422
    assert (
        await client.get("/nutrition/history?limit=101", headers=user.headers)
    ).status_code == 422
