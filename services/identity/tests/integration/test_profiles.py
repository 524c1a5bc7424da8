"""Profiles: bounds, mass assignment, BOLA, and the profile_updated event (real PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

PASSWORD = "correct horse battery staple"
PROBLEM = "application/problem+json"
UPDATED = "identity.user.profile_updated.v1"


async def _account(client: httpx.AsyncClient) -> dict[str, Any]:
    """Register + login: {id, email, headers}."""
    email = f"profile-{uuid.uuid4().hex[:12]}@example.com"
    reg = await client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "name": "Ada"}
    )
    assert reg.status_code == 201, reg.text
    login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {
        "id": reg.json()["id"],
        "email": email,
        "headers": {"Authorization": f"Bearer {login.json()['accessToken']}"},
    }


def _years_ago(years: int, *, days: int = 0) -> str:
    today = datetime.now(UTC).date()
    born = (
        today.replace(year=today.year - years)
        if (today.month, today.day) != (2, 29)
        else (date(today.year - years, 3, 1))
    )
    return date.fromordinal(born.toordinal() + days).isoformat()


FULL = {
    "name": "Ada L.",
    "gender": "female",
    "heightCm": 168,
    "weightKg": 61.5,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
    "timezone": "Europe/Berlin",
    "units": "imperial",
    "profileVisibility": "private",
}


async def test_owner_updates_and_reads_full_profile_with_derived_age(
    client: httpx.AsyncClient,
) -> None:
    me = await _account(client)
    body = {**FULL, "birthDate": _years_ago(30)}
    resp = await client.put(f"/users/{me['id']}", json=body, headers=me["headers"])
    assert resp.status_code == 200, resp.text
    profile = resp.json()
    assert profile["age"] == 30
    assert profile["emailVerified"] is False
    assert profile["email"] == me["email"]
    assert profile["heightCm"] == 168
    assert profile["timezone"] == "Europe/Berlin"
    assert profile["units"] == "imperial"
    for path in ("/users/me", f"/users/{me['id']}"):
        again = await client.get(path, headers=me["headers"])
        assert again.status_code == 200
        assert {k: v for k, v in again.json().items() if k != "updatedAt"} == {
            k: v for k, v in profile.items() if k != "updatedAt"
        }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birthDate", "young"),  # replaced below: 12 years and 364 days old
        ("birthDate", "old"),  # 121 years old
        ("heightCm", 99),
        ("heightCm", 251),
        ("weightKg", 24.9),
        ("weightKg", 400.5),
        ("targetRateKgPerWeek", 1.6),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "../../etc/passwd"),
        ("gender", "other"),
        ("activityLevel", "extreme"),
        ("units", "furlongs"),
        ("profileVisibility", "friends"),
        ("name", None),
        ("roles", ["admin"]),
        ("email", "evil@example.com"),
    ],
)
async def test_out_of_bounds_and_unknown_fields_are_422_with_field_path(
    client: httpx.AsyncClient, field: str, value: Any
) -> None:
    me = await _account(client)
    if value == "young":
        value = _years_ago(13, days=1)
    elif value == "old":
        value = _years_ago(121)
    resp = await client.put(f"/users/{me['id']}", json={field: value}, headers=me["headers"])
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    assert f"body.{field}" in [e["path"] for e in resp.json()["errors"]]


async def test_age_bounds_are_inclusive(client: httpx.AsyncClient) -> None:
    me = await _account(client)
    for years in (13, 120):
        resp = await client.put(
            f"/users/{me['id']}", json={"birthDate": _years_ago(years)}, headers=me["headers"]
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["age"] == years


async def test_maintain_needs_rate_zero_and_sets_it(client: httpx.AsyncClient) -> None:
    me = await _account(client)
    bad = await client.put(
        f"/users/{me['id']}",
        json={"goal": "maintain", "targetRateKgPerWeek": 0.5},
        headers=me["headers"],
    )
    assert bad.status_code == 422
    assert [e["path"] for e in bad.json()["errors"]] == ["body.targetRateKgPerWeek"]
    await client.put(
        f"/users/{me['id']}",
        json={"goal": "lose", "targetRateKgPerWeek": 0.75},
        headers=me["headers"],
    )
    ok = await client.put(f"/users/{me['id']}", json={"goal": "maintain"}, headers=me["headers"])
    assert ok.status_code == 200
    assert ok.json()["targetRateKgPerWeek"] == 0


async def test_mass_assignment_leaves_roles_and_email_unchanged(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    me = await _account(client)
    for body in (
        {"roles": ["admin"]},
        {"email": "other@example.com"},
        {"name": "Mallory", "roles": ["admin"]},
        {"emailVerified": True},
        {"status": "active", "id": str(uuid.uuid4())},
    ):
        resp = await client.put(f"/users/{me['id']}", json=body, headers=me["headers"])
        assert resp.status_code == 422, body
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT roles, email, name, email_verified FROM users WHERE id = :id"),
                {"id": me["id"]},
            )
        ).one()
    assert list(row.roles) == ["user"]
    assert row.email == me["email"]
    assert row.name == "Ada"  # the mixed body was refused as a whole
    assert row.email_verified is False


async def test_private_profile_of_another_user_is_404(client: httpx.AsyncClient) -> None:
    alice, bob = await _account(client), await _account(client)
    resp = await client.get(f"/users/{bob['id']}", headers=alice["headers"])
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith(PROBLEM)
    unknown = await client.get(f"/users/{uuid.uuid4()}", headers=alice["headers"])
    assert unknown.status_code == 404
    # A private profile is indistinguishable from a missing one.
    assert _without_volatile(unknown.json()) == _without_volatile(resp.json())


def _without_volatile(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in {"correlationId", "instance"}}


async def test_public_profile_shows_only_public_fields(client: httpx.AsyncClient) -> None:
    alice, bob = await _account(client), await _account(client)
    await client.put(
        f"/users/{bob['id']}",
        json={**FULL, "birthDate": _years_ago(40), "profileVisibility": "public"},
        headers=bob["headers"],
    )
    resp = await client.get(f"/users/{bob['id']}", headers=alice["headers"])
    assert resp.status_code == 200
    assert set(resp.json()) == {"id", "name", "createdAt"}
    assert resp.json()["name"] == "Ada L."


async def test_updating_or_deleting_another_user_is_404_and_changes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice, bob = await _account(client), await _account(client)
    put = await client.put(f"/users/{bob['id']}", json={"name": "Pwned"}, headers=alice["headers"])
    assert put.status_code == 404
    delete = await client.delete(f"/users/{bob['id']}", headers=alice["headers"])
    assert delete.status_code == 404
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT name, status FROM users WHERE id = :id"), {"id": bob["id"]}
            )
        ).one()
    assert (row.name, row.status) == ("Ada", "active")
    assert (await client.get("/users/me", headers=bob["headers"])).status_code == 200


async def _events(engine: AsyncEngine, user_id: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT payload FROM outbox WHERE event_type = :t AND key = :k ORDER BY id"),
            {"t": UPDATED, "k": user_id},
        )
        return [r.payload for r in rows]


async def test_profile_updated_event_lists_exactly_the_changed_fields(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    me = await _account(client)
    url, headers = f"/users/{me['id']}", me["headers"]
    await client.put(url, json={"heightCm": 170, "weightKg": 70, "name": "Ada"}, headers=headers)
    # Same values again (70 == 70.0) and a visibility switch: no profile event.
    await client.put(url, json={"heightCm": 170.0, "weightKg": 70}, headers=headers)
    await client.put(url, json={"profileVisibility": "public"}, headers=headers)
    await client.put(url, json={"weightKg": 69.5, "timezone": "UTC"}, headers=headers)

    events = await _events(engine, me["id"])
    assert [e["changedFields"] for e in events] == [["height_cm", "weight_kg"], ["weight_kg"]]
    last = events[-1]
    assert last["userId"] == me["id"]
    assert last["profile"]["weightKg"] == 69.5
    assert last["profile"]["heightCm"] == 170
    assert "email" not in last["profile"]
    assert "profileVisibility" not in last["profile"]


async def test_profile_requires_a_token(client: httpx.AsyncClient) -> None:
    me = await _account(client)
    assert (await client.get(f"/users/{me['id']}")).status_code == 401
    assert (await client.put(f"/users/{me['id']}", json={"name": "x"})).status_code == 401
    assert (await client.delete(f"/users/{me['id']}")).status_code == 401


async def test_me_aliases_update_and_delete_the_caller(client: httpx.AsyncClient) -> None:
    me = await _account(client)
    put = await client.put("/users/me", json={"heightCm": 181}, headers=me["headers"])
    assert put.status_code == 200
    assert put.json()["id"] == me["id"]
    assert put.json()["heightCm"] == 181
    assert (await client.delete("/users/me", headers=me["headers"])).status_code == 204
    login = await client.post("/auth/login", json={"email": me["email"], "password": PASSWORD})
    assert login.status_code == 401


async def test_405_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    me = await _account(client)
    resp = await client.post(f"/users/{me['id']}", headers=me["headers"])
    assert resp.status_code == 405
    assert resp.headers["allow"] == "DELETE, GET, PUT"


async def test_me_and_own_id_are_one_object_for_conditional_writes(
    client: httpx.AsyncClient,
) -> None:
    """PUT /users/me and PUT /users/{own id} share an ETag and a write lock: two devices
    writing through different spellings with one If-Match → exactly one write, one 412."""
    import asyncio

    acc = await _account(client)
    me = await client.get("/users/me", headers=acc["headers"])
    by_id = await client.get(f"/users/{acc['id']}", headers=acc["headers"])
    assert me.headers["etag"] == by_id.headers["etag"]
    conditional = {**acc["headers"], "If-Match": me.headers["etag"]}
    for i in range(3):  # a lost update needs the two to interleave: give it chances
        # new values each round: an ETag is the representation's, and an unchanged profile
        # keeps its tag (the loser's If-Match would still hold)
        results = await asyncio.gather(
            client.put("/users/me", json={"heightCm": 170 + i}, headers=conditional),
            client.put(f"/users/{acc['id']}", json={"heightCm": 180 + i}, headers=conditional),
        )
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 412], [r.text for r in results]
        winner = next(r for r in results if r.status_code == 200)
        now = await client.get("/users/me", headers=acc["headers"])
        assert now.json()["heightCm"] == winner.json()["heightCm"]
        assert winner.headers["etag"] == now.headers["etag"]
        conditional = {**acc["headers"], "If-Match": now.headers["etag"]}
