"""BOLA on every route, authentication, mass assignment and bad input: 404/401/422 problem+json
and nothing written."""

from __future__ import annotations

import pytest


async def _rows(db, user_id) -> int:
    cur = await db.execute("SELECT count(*) FROM assets WHERE user_id = %s", (user_id,))
    row = await cur.fetchone()
    return int(row[0])


async def test_another_users_asset_is_404_on_every_route(
    api, client, user, other_user, db, s3_client, bucket
) -> None:
    ready = await api.ready_asset(user)
    pending = await api.request_upload(user)
    for asset in (ready, pending):
        url = f"/media/{asset['id']}"
        for method, path in (("GET", url), ("POST", f"{url}/confirm"), ("DELETE", url)):
            resp = await client.request(method, path, headers=other_user.headers)
            assert resp.status_code == 404, (method, path, resp.text)
            assert resp.headers["content-type"].startswith("application/problem+json")
    listing = await client.get("/media", headers=other_user.headers)
    page = listing.json()
    # The delta-sync cursor is opaque; the page itself shows nothing of the other user's.
    assert isinstance(page.pop("cursor"), str)
    assert page == {"items": [], "page": 1, "limit": 20, "total": 0}
    # Nothing happened to the owner's assets.
    assert await _rows(db, user.id) == 2
    assert [o.object_name for o in s3_client.list_objects(bucket, prefix=f"{user.id}/")] == [
        f"{user.id}/{ready['id']}"
    ]
    cur = await db.execute("SELECT status FROM assets WHERE id = %s", (pending["id"],))
    assert await cur.fetchone() == ("pending",)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/media/upload"),
        ("GET", "/media"),
        ("GET", "/media/00000000-0000-0000-0000-000000000001"),
        ("POST", "/media/00000000-0000-0000-0000-000000000001/confirm"),
        ("DELETE", "/media/00000000-0000-0000-0000-000000000001"),
    ],
)
async def test_every_route_needs_a_token(client, method, path) -> None:
    resp = await client.request(method, path, json={})
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"sizeBytes": 0}, "body.sizeBytes"),
        ({"sizeBytes": 10 * 1024 * 1024 + 1}, "body.sizeBytes"),
        ({"sizeBytes": -5}, "body.sizeBytes"),
        ({"contentType": "text/html"}, "body.contentType"),
        ({"contentType": "image/svg+xml"}, "body.contentType"),
        ({"filename": "../x.jpg"}, "body.filename"),
        ({"filename": "a\\b.jpg"}, "body.filename"),
        ({"filename": ""}, "body.filename"),
        ({"filename": "x" * 201}, "body.filename"),
        ({"purpose": "banner"}, "body.purpose"),
        # Mass assignment: the status, the key and the owner are the server's.
        ({"status": "ready"}, "body.status"),
        ({"objectKey": "someone/else"}, "body.objectKey"),
        ({"userId": "00000000-0000-0000-0000-000000000001"}, "body.userId"),
    ],
)
async def test_bad_upload_requests_are_422_and_write_nothing(
    api, client, user, db, override, path
) -> None:
    resp = await client.post("/media/upload", json=api.body(**override), headers=user.headers)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert path in [e["path"] for e in resp.json()["errors"]]
    assert await _rows(db, user.id) == 0


async def test_missing_fields_and_malformed_json(client, user, db) -> None:
    resp = await client.post("/media/upload", json={}, headers=user.headers)
    assert resp.status_code == 422
    assert {"body.filename", "body.contentType", "body.sizeBytes", "body.purpose"} <= {
        e["path"] for e in resp.json()["errors"]
    }
    bad = await client.post(
        "/media/upload",
        content=b"{not json",
        headers={**user.headers, "content-type": "application/json"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "body"
    assert await _rows(db, user.id) == 0


async def test_bad_ids_and_queries(client, user) -> None:
    # Ids are UUIDs in the route itself, so /media/upload is never read as an id: no such asset.
    resp = await client.get("/media/not-a-uuid", headers=user.headers)
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    resp = await client.get("/media/upload", headers=user.headers)
    assert resp.status_code == 405
    assert resp.headers["allow"] == "POST"
    assert (
        await client.get("/media", params={"purpose": "x"}, headers=user.headers)
    ).status_code == 422
    assert (
        await client.get("/media", params={"limit": 0}, headers=user.headers)
    ).status_code == 422
