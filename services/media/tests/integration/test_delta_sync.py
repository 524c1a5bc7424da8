"""GET /media?updatedSince=: what another device confirmed and deleted since a cursor."""

from __future__ import annotations

from types import SimpleNamespace

from fitness_platform.testing import delta_sync_round_trip


async def test_delta_has_another_devices_upload_and_deletion(
    client, api, user, token_factory
) -> None:
    uploads = {}

    async def create(headers):
        created = await api.request_upload(SimpleNamespace(headers=headers))
        uploads[created["id"]] = created["upload"]
        return created["id"]

    async def change(headers, asset_id):
        assert (await api.put(uploads[asset_id], api.JPEG)).status_code == 200
        resp = await client.post(f"/media/{asset_id}/confirm", headers=headers)
        assert resp.status_code == 200, resp.text

    async def remove(headers, asset_id):
        assert (await client.delete(f"/media/{asset_id}", headers=headers)).status_code == 204

    delta = await delta_sync_round_trip(
        client,
        "/media",
        device=user.headers,
        other_device=token_factory.headers(user.id),
        create=create,
        change=change,
        remove=remove,
    )
    assert delta["items"][0]["status"] == "ready"
