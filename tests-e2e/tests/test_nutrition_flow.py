"""Profile → nutrition through events, and account deletion erasing every service's rows.

Both go gateway → identity → outbox relay → Kafka → nutrition worker, so the assertions poll
with a deadline instead of expecting the effect at once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import psycopg
from psycopg import sql

from e2e.accounts import register_and_login
from fitness_platform.testing import wait_until
from fitness_stack.endpoints import Endpoints

PROFILE = {
    "birthDate": "1990-05-17",
    "gender": "female",
    "heightCm": 168,
    "weightKg": 64.5,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
    "timezone": "Europe/Berlin",
}


async def test_profile_update_recalculates_targets(gw: httpx.AsyncClient) -> None:
    acc = await register_and_login(gw, name="Nutri")
    r = await gw.put(f"/users/{acc.id}", headers=acc.auth, json=PROFILE)
    assert r.status_code == 200, r.text

    async def history_has_entry() -> bool:
        h = await gw.get("/nutrition/history", headers=acc.auth)
        return h.status_code == 200 and h.json()["total"] >= 1

    await wait_until(history_has_entry, timeout=45, interval=0.3, message="recalculation")
    entry = (await gw.get("/nutrition/history", headers=acc.auth)).json()["items"][0]
    me = (await gw.get("/nutrition/me", headers=acc.auth)).json()
    # Mifflin-St Jeor 1990, women: 10 W + 6.25 H - 5 A - 161.
    today = datetime.now(UTC).date()
    born = date.fromisoformat(PROFILE["birthDate"])  # type: ignore[arg-type]
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    assert abs(entry["bmr"] - (10 * 64.5 + 6.25 * 168 - 5 * age - 161)) <= 0.5
    assert me["dailyCalories"] == entry["dailyCalories"]

    # A weight change is a second recalculation.
    r = await gw.put(f"/users/{acc.id}", headers=acc.auth, json={"weightKg": 62.0})
    assert r.status_code == 200

    async def two_entries() -> bool:
        h = await gw.get("/nutrition/history", headers=acc.auth)
        return h.json()["total"] >= 2

    await wait_until(two_entries, timeout=45, interval=0.3, message="second recalculation")


async def _rows_of_user(admin_url: str, user_id: str) -> dict[str, int]:
    """Rows per `<schema>.<table>` with this user_id, across every service schema."""
    counts: dict[str, int] = {}
    async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as conn:
        tables = await (
            await conn.execute(
                "SELECT table_schema, table_name FROM information_schema.columns "
                "WHERE column_name = 'user_id' AND table_schema IN "
                "('identity','nutrition','training','progress','goals','media')"
            )
        ).fetchall()
        for schema, table in tables:
            query = sql.SQL("SELECT count(*) FROM {}.{} WHERE user_id = %s").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            (n,) = await (await conn.execute(query, (user_id,))).fetchone()  # type: ignore[misc]
            counts[f"{schema}.{table}"] = n
    return counts


async def test_account_deletion_erases_nutrition_rows(
    gw: httpx.AsyncClient, e2e: Endpoints
) -> None:
    acc = await register_and_login(gw, name="Leaving")
    assert (await gw.put(f"/users/{acc.id}", headers=acc.auth, json=PROFILE)).status_code == 200
    r = await gw.post(
        "/nutrition/diary",
        headers=acc.auth,
        json={"mealSlot": "lunch", "foodId": 5062, "grams": 150},
    )
    assert r.status_code == 201, r.text

    async def has_nutrition_rows() -> bool:
        rows = await _rows_of_user(e2e.pg_admin_url, acc.id)
        return sum(n for t, n in rows.items() if t.startswith("nutrition.")) >= 3

    # diary entry + profile read model + the automatic recalculation
    await wait_until(has_nutrition_rows, timeout=45, interval=0.3, message="nutrition rows")

    assert (await gw.delete(f"/users/{acc.id}", headers=acc.auth)).status_code == 204
    assert (
        await gw.post("/auth/login", json={"email": acc.email, "password": acc.password})
    ).status_code == 401

    async def nutrition_erased() -> bool:
        rows = await _rows_of_user(e2e.pg_admin_url, acc.id)
        return all(n == 0 for t, n in rows.items() if t.startswith("nutrition."))

    await wait_until(nutrition_erased, timeout=45, interval=0.3, message="erasure")
