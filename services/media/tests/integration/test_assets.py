"""Reading, listing and deleting assets."""

from __future__ import annotations


async def test_get_pending_has_no_download_url(api, client, user) -> None:
    created = await api.request_upload(user)
    resp = await client.get(f"/media/{created['id']}", headers=user.headers)
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "pending"
    assert body["downloadUrl"] is None
    assert body["filename"] == "me.jpg"


async def test_upload_answers_201_with_location(client, user, api) -> None:
    resp = await client.post("/media/upload", json=api.body(), headers=user.headers)
    assert resp.status_code == 201
    assert resp.headers["location"] == f"/media/{resp.json()['id']}"
    body = resp.json()
    assert body["expiresAt"] == body["upload"]["expiresAt"]


async def test_video_may_be_larger_than_an_image(client, user, api, settings) -> None:
    size = settings.max_image_bytes + 1
    image = await client.post(
        "/media/upload", json=api.body("image/png", size), headers=user.headers
    )
    assert image.status_code == 422
    assert image.json()["errors"][0]["path"] == "body.sizeBytes"
    video = await client.post(
        "/media/upload", json=api.body("video/mp4", size, purpose="workout"), headers=user.headers
    )
    assert video.status_code == 201


async def test_list_filters_by_purpose_and_pages(api, client, make_user) -> None:
    owner = make_user()
    for purpose in ("avatar", "progress_photo", "progress_photo", "workout"):
        await api.request_upload(owner, api.body(purpose=purpose))
    everything = await client.get("/media", headers=owner.headers)
    assert everything.status_code == 200
    assert everything.json()["total"] == 4
    photos = await client.get(
        "/media", params={"purpose": "progress_photo", "limit": 1, "page": 2}, headers=owner.headers
    )
    body = photos.json()
    assert (body["total"], body["page"], body["limit"]) == (2, 2, 1)
    assert [i["purpose"] for i in body["items"]] == ["progress_photo"]
    beyond = await client.get("/media", params={"page": 9}, headers=owner.headers)
    assert beyond.json()["items"] == []
    assert beyond.json()["total"] == 4


async def test_list_shows_download_urls_of_ready_assets(api, client, make_user, s3_http) -> None:
    owner = make_user()
    ready = await api.ready_asset(owner)
    await api.request_upload(owner)
    items = (await client.get("/media", headers=owner.headers)).json()["items"]
    by_id = {i["id"]: i for i in items}
    assert by_id[ready["id"]]["downloadUrl"]
    assert (await s3_http.get(by_id[ready["id"]]["downloadUrl"])).content == api.JPEG
    assert [i["downloadUrl"] for i in items if i["id"] != ready["id"]] == [None]


async def test_delete_removes_object_and_row(api, client, user, db, s3_client, bucket) -> None:
    ready = await api.ready_asset(user)
    resp = await client.delete(f"/media/{ready['id']}", headers=user.headers)
    assert resp.status_code == 204
    assert (await client.get(f"/media/{ready['id']}", headers=user.headers)).status_code == 404
    assert (await client.delete(f"/media/{ready['id']}", headers=user.headers)).status_code == 404
    assert list(s3_client.list_objects(bucket, prefix=f"{user.id}/")) == []
    cur = await db.execute(
        "SELECT payload->>'reason' FROM outbox WHERE event_type = 'media.asset.deleted.v1'"
        " AND payload->>'assetId' = %s",
        (ready["id"],),
    )
    assert await cur.fetchall() == [("user",)]
