"""Catalogue search/detail and the admin content routes (foods, meal templates, audit)."""

from __future__ import annotations

import uuid

import psycopg
import pytest


async def test_search_ranks_exact_match_first(client, user) -> None:
    resp = await client.get("/nutrition/foods?q=Butter, salted", headers=user.headers)
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["items"][0]["description"] == "Butter, salted"
    assert page["items"][0]["id"] == 1001
    assert page["total"] >= 1

    prefix = (await client.get("/nutrition/foods?q=butter&limit=5", headers=user.headers)).json()
    assert prefix["items"][0]["description"].lower().startswith("butter,")


async def test_search_prefix_and_garbage(client, user) -> None:
    resp = await client.get("/nutrition/foods?q=chick bre", headers=user.headers)
    assert resp.status_code == 200
    assert any("chicken" in i["description"].lower() for i in resp.json()["items"])
    for q in ["!!!", "a & | b:* (", "' OR 1=1 --", "ü"]:
        r = await client.get("/nutrition/foods", params={"q": q}, headers=user.headers)
        assert r.status_code == 200, (q, r.text)


async def test_search_respects_tag_and_allergen_filters(client, user) -> None:
    vegan = await client.get(
        "/nutrition/foods",
        params={"q": "beans", "tag": "vegan", "limit": 100},
        headers=user.headers,
    )
    assert vegan.status_code == 200
    items = vegan.json()["items"]
    assert items, "plain beans are vegan"
    assert all("vegan" in i["tags"] for i in items)

    all_beans = (
        await client.get("/nutrition/foods", params={"q": "beans"}, headers=user.headers)
    ).json()
    assert all_beans["total"] > vegan.json()["total"]

    free = await client.get(
        "/nutrition/foods",
        params=[("q", "cheese"), ("allergenFree", "milk"), ("limit", "100")],
        headers=user.headers,
    )
    assert all("milk" not in i["allergens"] for i in free.json()["items"])
    bad = await client.get("/nutrition/foods?tag=carnivore", headers=user.headers)
    assert bad.status_code == 422


async def test_food_detail_and_404(client, user) -> None:
    resp = await client.get("/nutrition/foods/1001", headers=user.headers)
    assert resp.status_code == 200
    food = resp.json()
    assert food["per100g"]["kcal"] == 717
    assert any(p["unit"] == "tbsp" for p in food["portions"])
    assert (await client.get("/nutrition/foods/999999", headers=user.headers)).status_code == 404
    assert (await client.get("/nutrition/foods/0", headers=user.headers)).status_code == 422


CUSTOM_FOOD = {
    "description": "Test protein bar, chocolate",
    "foodGroup": "Snacks",
    "per100g": {"kcal": 380, "proteinG": 30, "fatG": 12, "carbsG": 40, "fiberG": 5},
    "allergens": ["milk", "soy"],
    "portions": [{"amount": 1, "unit": "bar", "grams": 60}],
}


async def test_admin_routes_are_forbidden_for_users(client, user) -> None:
    for method, path, body in [
        ("GET", "/admin/content/foods", None),
        ("POST", "/admin/content/foods", CUSTOM_FOOD),
        ("PUT", "/admin/content/foods/10000000", CUSTOM_FOOD),
        ("DELETE", "/admin/content/foods/10000000", None),
        ("GET", "/admin/content/meal-templates", None),
        ("POST", "/admin/content/meal-templates", {"name": "x", "slot": "lunch", "items": []}),
        ("DELETE", f"/admin/content/meal-templates/{uuid.uuid4()}", None),
    ]:
        resp = await client.request(method, path, json=body, headers=user.headers)
        assert resp.status_code == 403, (method, path, resp.status_code)
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_admin_food_crud_writes_audit_rows(client, admin, user, db, rows) -> None:
    name = f"Test bar {uuid.uuid4().hex[:8]}"
    created = await client.post(
        "/admin/content/foods", json={**CUSTOM_FOOD, "description": name}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    food = created.json()
    assert food["id"] >= 10_000_000
    assert created.headers["Location"] == f"/admin/content/foods/{food['id']}"
    assert food["allergens"] == ["milk", "soy"]

    # Visible to users in the public catalogue.
    found = await client.get("/nutrition/foods", params={"q": name}, headers=user.headers)
    assert found.json()["items"][0]["id"] == food["id"]

    listed = await client.get("/admin/content/foods?limit=100", headers=admin.headers)
    assert listed.status_code == 200
    assert all(i["source"] == "custom" for i in listed.json()["items"])

    updated = await client.put(
        f"/admin/content/foods/{food['id']}",
        json={**CUSTOM_FOOD, "description": name + " v2"},
        headers=admin.headers,
    )
    assert updated.status_code == 200
    assert updated.json()["description"] == name + " v2"

    # SR28 foods are not editable through the custom-food routes.
    assert (
        await client.put("/admin/content/foods/1001", json=CUSTOM_FOOD, headers=admin.headers)
    ).status_code == 404

    deleted = await client.delete(f"/admin/content/foods/{food['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (
        await client.get(f"/nutrition/foods/{food['id']}", headers=user.headers)
    ).status_code == 404

    audit = await rows(
        db,
        "SELECT actor_id, action, ip, correlation_id FROM admin_audit WHERE target = %s ORDER BY id",
        f"food:{food['id']}",
    )
    assert [a[1] for a in audit] == ["food.create", "food.update", "food.delete"]
    assert all(a[0] == admin.id for a in audit)
    assert all(a[2] for a in audit)
    assert all(a[3] for a in audit)


async def test_the_audit_log_is_append_only(client, admin, db, rows) -> None:
    """The platform's triggers (migration 0003) refuse changes for every role, the service's
    own (it owns the schema) included."""
    created = await client.post(
        "/admin/content/foods",
        json={**CUSTOM_FOOD, "description": f"Audited bar {uuid.uuid4().hex[:8]}"},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    target = f"food:{created.json()['id']}"
    query = "SELECT id, action, details FROM admin_audit WHERE target = %s"
    before = await rows(db, query, target)
    assert [r[1] for r in before] == ["food.create"]
    for statement, params in (
        ("UPDATE admin_audit SET action = 'nothing' WHERE target = %s", (target,)),
        ("DELETE FROM admin_audit WHERE target = %s", (target,)),
        ("TRUNCATE admin_audit", None),
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            await db.execute(statement, params)
    assert await rows(db, query, target) == before


async def test_admin_food_validation(client, admin) -> None:
    too_much = {**CUSTOM_FOOD, "per100g": {"kcal": 100, "proteinG": 60, "fatG": 30, "carbsG": 30}}
    resp = await client.post("/admin/content/foods", json=too_much, headers=admin.headers)
    assert resp.status_code == 422
    resp = await client.post(
        "/admin/content/foods", json={**CUSTOM_FOOD, "source": "sr28"}, headers=admin.headers
    )
    assert resp.status_code == 422


async def test_admin_meal_templates_crud_with_audit(client, admin, db, rows) -> None:
    body = {
        "name": "Porridge with butter",
        "slot": "breakfast",
        "items": [{"foodId": 1001, "grams": 10}],
    }
    created = await client.post("/admin/content/meal-templates", json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["kcal"] == 71.7
    location = created.headers["Location"]
    assert (await client.get(location, headers=admin.headers)).json()["name"] == body["name"]

    unknown = await client.post(
        "/admin/content/meal-templates",
        json={**body, "items": [{"foodId": 999_999, "grams": 10}]},
        headers=admin.headers,
    )
    assert unknown.status_code == 422

    changed = await client.put(location, json={**body, "slot": "snack"}, headers=admin.headers)
    assert changed.json()["slot"] == "snack"
    listed = await client.get("/admin/content/meal-templates", headers=admin.headers)
    assert any(t["id"] == template["id"] for t in listed.json()["items"])
    assert (await client.delete(location, headers=admin.headers)).status_code == 204
    assert (await client.get(location, headers=admin.headers)).status_code == 404

    audit = await rows(
        db,
        "SELECT action FROM admin_audit WHERE target = %s ORDER BY id",
        f"meal_template:{template['id']}",
    )
    assert [a[0] for a in audit] == [
        "meal_template.create",
        "meal_template.update",
        "meal_template.delete",
    ]
