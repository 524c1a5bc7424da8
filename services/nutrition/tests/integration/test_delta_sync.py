"""?updatedSince= on the diary and the saved calculations: another device's changes."""

from __future__ import annotations

ENTRY = {"date": "2026-03-02", "mealSlot": "breakfast", "foodId": 1001, "grams": 10}


async def test_diary_delta_has_another_devices_entry_and_deletion(
    client, user, token_factory
) -> None:
    other = token_factory.headers(user.id)
    old = (await client.post("/nutrition/diary", json=ENTRY, headers=user.headers)).json()["id"]
    listed = await client.get(
        "/nutrition/diary", params={"date": "2026-03-02"}, headers=user.headers
    )
    assert listed.status_code == 200, listed.text
    cursor = listed.json()["cursor"]
    new = (await client.post("/nutrition/diary", json=ENTRY | {"grams": 20}, headers=other)).json()
    assert (await client.delete(f"/nutrition/diary/{old}", headers=other)).status_code == 204

    resp = await client.get(
        "/nutrition/diary", params={"updatedSince": cursor}, headers=user.headers
    )
    assert resp.status_code == 200, resp.text
    delta = resp.json()
    assert [i["id"] for i in delta["items"]] == [new["id"]]
    assert delta["deleted"] == [old]
    bad = await client.get("/nutrition/diary", params={"updatedSince": "x"}, headers=user.headers)
    assert bad.status_code == 422
    both = await client.get(
        "/nutrition/diary",
        params={"updatedSince": cursor, "date": "2026-03-02"},
        headers=user.headers,
    )
    assert both.status_code == 422


async def test_calculation_history_delta_has_another_devices_save(
    client, user, token_factory, calc_body
) -> None:
    listed = await client.get("/nutrition/history", headers=user.headers)
    assert listed.status_code == 200, listed.text
    saved = await client.post(
        "/nutrition/save", json=calc_body, headers=token_factory.headers(user.id)
    )
    assert saved.status_code == 201, saved.text
    resp = await client.get(
        "/nutrition/history", params={"updatedSince": listed.json()["cursor"]}, headers=user.headers
    )
    assert resp.status_code == 200, resp.text
    assert [i["id"] for i in resp.json()["items"]] == [saved.json()["id"]]
    assert resp.json()["deleted"] == []
