"""GET /progress/weight?updatedSince=: what another device recorded and deleted since a cursor."""

from __future__ import annotations

from fitness_platform.testing import delta_sync_round_trip


async def test_delta_has_another_devices_edit_and_deletion(client, user, token_factory) -> None:
    days = iter(["2026-02-01", "2026-02-02"])

    async def create(headers):
        day = next(days)
        resp = await client.post(
            "/progress/weight", json={"date": day, "weightKg": 80.0}, headers=headers
        )
        assert resp.status_code == 201, resp.text
        return day

    async def change(headers, day):
        resp = await client.post(
            "/progress/weight", json={"date": day, "weightKg": 78.5}, headers=headers
        )
        assert resp.status_code == 200, resp.text

    async def remove(headers, day):
        resp = await client.delete(f"/progress/weight/{day}", headers=headers)
        assert resp.status_code == 204, resp.text

    delta = await delta_sync_round_trip(
        client,
        "/progress/weight",
        device=user.headers,
        other_device=token_factory.headers(user.id),
        create=create,
        change=change,
        remove=remove,
        key="date",
    )
    assert delta["items"][0]["weightKg"] == 78.5


async def test_a_day_deleted_then_recorded_again_is_an_item_not_a_deletion(client, user) -> None:
    cursor = (await client.get("/progress/weight", headers=user.headers)).json()["cursor"]
    entry = {"date": "2026-03-01", "weightKg": 70.0}
    assert (
        await client.post("/progress/weight", json=entry, headers=user.headers)
    ).status_code == 201
    assert (
        await client.delete("/progress/weight/2026-03-01", headers=user.headers)
    ).status_code == 204
    assert (
        await client.post("/progress/weight", json=entry, headers=user.headers)
    ).status_code == 201
    delta = (
        await client.get("/progress/weight", params={"updatedSince": cursor}, headers=user.headers)
    ).json()
    assert [i["date"] for i in delta["items"]] == ["2026-03-01"]
    assert delta["deleted"] == []
