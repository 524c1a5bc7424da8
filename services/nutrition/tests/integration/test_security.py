"""BOLA on every route that takes an object id, and token checks on the service itself."""

from __future__ import annotations

import uuid

import orjson

from fitness_platform.testing import TokenFactory


async def test_other_users_objects_are_404_everywhere(
    client, user, other_user, calc_body, db
) -> None:
    calc = (await client.post("/nutrition/save", json=calc_body, headers=user.headers)).json()
    entry = (
        await client.post(
            "/nutrition/diary",
            json={"mealSlot": "lunch", "foodId": 1001, "grams": 10},
            headers=user.headers,
        )
    ).json()
    plan_id = uuid.uuid4()
    # A stored plan row (generating one costs seven MILP solves; its routes are tested elsewhere).
    await db.execute(
        "INSERT INTO personal_plans (id, user_id, start_date, params, plan) "
        "VALUES (%s, %s, '2026-01-05', %s, %s)",
        (
            plan_id,
            user.id,
            orjson.dumps({"meals": 3}).decode(),
            orjson.dumps(
                {"targets": {"kcal": 2000, "proteinG": 100, "fatG": 60, "carbsG": 250}, "days": []}
            ).decode(),
        ),
    )
    owned = [
        ("GET", f"/nutrition/calculations/{calc['id']}"),
        ("GET", f"/nutrition/diary/{entry['id']}"),
        ("GET", f"/nutrition/personal-plan/{plan_id}"),
    ]
    for method, path in owned:
        assert (await client.request(method, path, headers=user.headers)).status_code == 200, path
        resp = await client.request(method, path, headers=other_user.headers)
        assert resp.status_code == 404, path
        assert resp.headers["content-type"].startswith("application/problem+json")
    # Deleting someone else's entry is a 404 and leaves it in place.
    deleted = await client.delete(f"/nutrition/diary/{entry['id']}", headers=other_user.headers)
    assert deleted.status_code == 404
    assert (
        await client.get(f"/nutrition/diary/{entry['id']}", headers=user.headers)
    ).status_code == 200
    # Lists and "me" never show another user's data.
    for path in ("/nutrition/history", "/nutrition/personal-plan", "/nutrition/achievements"):
        body = (await client.get(path, headers=other_user.headers)).json()
        assert body["total"] == 0, path
    assert (await client.get("/nutrition/me", headers=other_user.headers)).status_code == 404


async def test_tokens_are_verified_by_the_service(client, calc_body, token_factory) -> None:
    stranger = TokenFactory(kid="other")  # same kid rules, different key: signature fails
    bad_tokens = [
        stranger.issue(),
        token_factory.issue(ttl=-120),  # expired beyond the leeway
        token_factory.issue(aud="someone-else"),
        token_factory.issue()[:-4] + "AAAA",  # tampered signature
        "eyJhbGciOiJub25lIn0." + token_factory.issue().split(".")[1] + ".",  # alg=none
        "not-a-jwt",
    ]
    for token in bad_tokens:
        resp = await client.post(
            "/nutrition/calculate", json=calc_body, headers={"Authorization": f"Bearer {token}"}
        )
        assert resp.status_code == 401, token
    # A bare X-User-Id header is not an identity.
    resp = await client.get("/nutrition/me", headers={"X-User-Id": str(uuid.uuid4())})
    assert resp.status_code == 401
