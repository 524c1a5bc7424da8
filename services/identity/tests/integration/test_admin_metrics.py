"""GET /admin/metrics on a synthetic history written through the repositories (fresh schema).

Ten users, known signups and active days over 30-odd days; every expected number below was
computed by hand (the `history` fixture of tests/conftest.py, shared with tests/unit/test_engagement.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update

from fitness_platform.db import create_engine_for, create_sessionmaker
from identity.activity import service as activity_service
from identity.main import create_app
from identity.settings import IdentitySettings
from identity.users import repository as user_repo
from identity.users.models import User

PASSWORD = "correct horse battery staple"
D = date
# Signup times at the edges of the UTC day: the day is the UTC date, nothing else.
SIGNUP_TIME = {"u4": time(23, 59, 59), "u5": time(0, 0, 0)}


@pytest.fixture
async def metrics_client(
    migrated_schema: Callable[[], Awaitable[Any]],
    make_settings: Callable[..., IdentitySettings],
    redis_client: Any,
    history: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], Any]]:
    db = await migrated_schema()
    settings = make_settings(db)
    engine = create_engine_for(db.url, db.schema, pool_size=2)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            for key, signup in history.signups.items():
                user = await user_repo.insert(
                    session, email=f"{key}@example.com", name=key, password_hash="x"
                )
                created = datetime.combine(signup, SIGNUP_TIME.get(key, time(12)), tzinfo=UTC)
                await session.execute(
                    update(User).where(User.id == user.id).values(created_at=created)
                )
                for day in history.active[key] + history.active[key][:1]:  # one duplicate each
                    await activity_service.record_activity(session, user.id, day)

        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://id.test") as c:
                email = f"metrics-admin-{uuid.uuid4().hex[:8]}@example.com"
                resp = await c.post(
                    "/auth/register", json={"email": email, "password": PASSWORD, "name": "A"}
                )
                assert resp.status_code == 201
                async with engine.begin() as conn:
                    await conn.execute(
                        text("UPDATE users SET roles = '{user,admin}' WHERE id = :id"),
                        {"id": resp.json()["id"]},
                    )
                login = await c.post("/auth/login", json={"email": email, "password": PASSWORD})
                auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
                yield c, auth, sessions
    finally:
        await engine.dispose()


async def _metrics(client: httpx.AsyncClient, auth: dict[str, str], **params: str) -> Any:
    resp = await client.get("/admin/metrics", params=params, headers=auth)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_metrics_are_exact_on_a_known_history(
    metrics_client: tuple[httpx.AsyncClient, dict[str, str], Any],
    history: Any,
) -> None:
    client, auth, _ = metrics_client
    span = {"from": history.start.isoformat(), "to": history.end.isoformat()}
    body = await _metrics(client, auth, **span)
    assert (body["from"], body["to"]) == ("2026-01-05", "2026-02-08")
    days = {d["day"]: d for d in body["days"]}
    assert len(body["days"]) == 35

    expected = {  # day: (DAU, WAU, MAU)
        "2026-01-05": (3, 4, 4),
        "2026-01-06": (3, 5, 5),
        "2026-01-12": (3, 7, 8),
        "2026-01-21": (1, 2, 9),
        "2026-01-26": (1, 2, 10),  # WAU Jan 20..26: u7 (Jan 21), u8
        "2026-02-03": (0, 0, 10),
        "2026-02-08": (0, 2, 7),
    }
    for day, (dau, wau, mau) in expected.items():
        got = days[day]
        assert (got["dau"], got["wau"], got["mau"]) == (dau, wau, mau), day
        assert got["stickiness"] == pytest.approx(dau / mau)

    registrations = {d["day"]: d["registrations"] for d in body["days"] if d["registrations"]}
    assert registrations == {
        "2026-01-05": 3,
        "2026-01-06": 1,
        "2026-01-07": 1,
        "2026-01-12": 2,
        "2026-01-14": 1,
        "2026-01-26": 1,
    }
    assert body["registrations"] == 9
    # Mean of the 35 daily DAU/MAU ratios (see the unit test for the hand sum): 146/1575.
    assert body["stickiness"] == pytest.approx(146 / 1575)

    assert body["cohorts"] == [
        {
            "cohort": "2026-W02",
            "weekStart": "2026-01-05",
            "size": 5,
            "d1": 0.6,
            "d7": 0.4,
            "d30": 0.4,
        },
        {
            "cohort": "2026-W03",
            "weekStart": "2026-01-12",
            "size": 3,
            "d1": pytest.approx(1 / 3),
            "d7": pytest.approx(2 / 3),
            "d30": None,
        },
        {
            "cohort": "2026-W05",
            "weekStart": "2026-01-26",
            "size": 1,
            "d1": 1.0,
            "d7": 0.0,
            "d30": None,
        },
    ]


async def test_metrics_are_cached_for_a_minute_per_range(
    metrics_client: tuple[httpx.AsyncClient, dict[str, str], Any], redis_client: Any
) -> None:
    client, auth, sessions = metrics_client
    params = {"from": "2026-01-12", "to": "2026-01-12"}
    first = await _metrics(client, auth, **params)
    assert first["days"][0]["dau"] == 3
    key = "identity:admin:metrics:v1:2026-01-12:2026-01-12"
    assert 0 < await redis_client.ttl(key) <= 60

    async with sessions() as session, session.begin():
        user = await user_repo.get_by_email(session, "u9@example.com")
        assert user is not None
        await activity_service.record_activity(session, user.id, D(2026, 1, 12))
    assert await _metrics(client, auth, **params) == first  # served from the cache

    await redis_client.delete(key)
    assert (await _metrics(client, auth, **params))["days"][0]["dau"] == 4


async def test_default_range_is_the_30_days_ending_today(
    metrics_client: tuple[httpx.AsyncClient, dict[str, str], Any],
) -> None:
    client, auth, _ = metrics_client
    body = await _metrics(client, auth)
    today = datetime.now(UTC).date()
    assert (body["from"], body["to"]) == (
        (today - timedelta(days=29)).isoformat(),
        today.isoformat(),
    )
    # The admin registered and logged in today: one registration, one active user.
    assert body["days"][-1]["registrations"] == 1
    assert body["days"][-1]["dau"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
        {"from": "1999-12-31", "to": "2000-01-02"},
        {"to": "0001-01-01"},  # the default `from` would underflow the date type
        {"to": "not-a-date"},
    ],
)
async def test_bad_ranges_are_422_problems(
    metrics_client: tuple[httpx.AsyncClient, dict[str, str], Any], params: dict[str, str]
) -> None:
    client, auth, _ = metrics_client
    resp = await client.get("/admin/metrics", params=params, headers=auth)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["errors"][0]["path"].startswith("query.")
