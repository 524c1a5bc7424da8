"""GET /goals?updatedSince=: what another device changed and deleted since a cursor."""

from __future__ import annotations

from fitness_platform.testing import delta_sync_round_trip


async def test_delta_has_another_devices_edit_and_deletion(client, user, token_factory) -> None:
    async def create(headers):
        body = {"type": "workouts_per_week", "workoutsPerWeek": 3}
        resp = await client.post("/goals", json=body, headers=headers)
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    async def change(headers, goal_id):
        resp = await client.patch(f"/goals/{goal_id}", json={"title": "Edited"}, headers=headers)
        assert resp.status_code == 200, resp.text

    async def remove(headers, goal_id):
        assert (await client.delete(f"/goals/{goal_id}", headers=headers)).status_code == 204

    delta = await delta_sync_round_trip(
        client,
        "/goals",
        device=user.headers,
        other_device=token_factory.headers(user.id),
        create=create,
        change=change,
        remove=remove,
    )
    assert delta["items"][0]["title"] == "Edited"
