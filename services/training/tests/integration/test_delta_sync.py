"""GET /workouts?updatedSince=: what another device wrote and deleted since a cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fitness_platform.testing import delta_sync_round_trip


def body(**overrides):
    started = datetime.now(UTC) - timedelta(hours=2)
    data = {"title": "Run", "startedAt": started.isoformat(), "durationMin": 30, "exercises": []}
    return data | overrides


async def test_delta_has_another_devices_edit_and_deletion(client, user, token_factory) -> None:
    async def create(headers):
        resp = await client.post("/workouts", json=body(), headers=headers)
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    async def change(headers, workout_id):
        resp = await client.put(
            f"/workouts/{workout_id}", json=body(title="Edited"), headers=headers
        )
        assert resp.status_code == 200, resp.text

    async def remove(headers, workout_id):
        assert (await client.delete(f"/workouts/{workout_id}", headers=headers)).status_code == 204

    delta = await delta_sync_round_trip(
        client,
        "/workouts",
        device=user.headers,
        other_device=token_factory.headers(user.id),
        create=create,
        change=change,
        remove=remove,
    )
    assert delta["items"][0]["title"] == "Edited"


async def test_filters_do_not_combine_with_a_cursor(client, user) -> None:
    listed = (await client.get("/workouts", headers=user.headers)).json()
    resp = await client.get(
        "/workouts", params={"updatedSince": listed["cursor"], "q": "run"}, headers=user.headers
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "query.q"
