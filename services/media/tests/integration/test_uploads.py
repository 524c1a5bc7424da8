"""Presigned upload straight to nanio, confirm, download: the store itself refuses a tampered or
expired URL, another size and another content type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from media.storage.presign import Credentials, presign

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


async def test_upload_confirm_download(api, client, s3_http, user, db, s3_client, bucket) -> None:
    created = await api.request_upload(user)
    assert created["status"] == "pending"
    assert created["downloadUrl"] is None
    upload = created["upload"]
    assert upload["method"] == "PUT"
    assert upload["headers"] == {"Content-Type": "image/jpeg", "Content-Length": str(len(JPEG))}
    # The key is the server's choice: user id / asset id, never the file name.
    assert f"/{bucket}/{user.id}/{created['id']}?" in upload["url"]
    assert "me.jpg" not in upload["url"]

    put = await api.put(upload, JPEG)
    assert put.status_code == 200, put.text

    confirmed = await client.post(f"/media/{created['id']}/confirm", headers=user.headers)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "ready"
    assert body["uploadedAt"] is not None

    got = await client.get(f"/media/{created['id']}", headers=user.headers)
    assert got.status_code == 200
    meta = got.json()
    assert {k: meta[k] for k in ("id", "purpose", "contentType", "sizeBytes", "status")} == {
        "id": created["id"],
        "purpose": "avatar",
        "contentType": "image/jpeg",
        "sizeBytes": len(JPEG),
        "status": "ready",
    }
    download = await s3_http.get(meta["downloadUrl"])
    assert download.status_code == 200
    assert download.content == JPEG

    # A tampered download URL (another key, same signature) is refused by the store.
    tampered = meta["downloadUrl"].replace(created["id"], "00000000-0000-0000-0000-000000000000")
    assert (await s3_http.get(tampered)).status_code == 403

    cur = await db.execute("SELECT status, object_key FROM assets WHERE id = %s", (created["id"],))
    assert await cur.fetchone() == ("ready", f"{user.id}/{created['id']}")


async def test_confirm_twice_is_harmless(api, client, s3_http, user, db) -> None:
    created = await api.request_upload(user)
    assert (await api.put(created["upload"], JPEG)).status_code == 200
    first = await client.post(f"/media/{created['id']}/confirm", headers=user.headers)
    second = await client.post(f"/media/{created['id']}/confirm", headers=user.headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["uploadedAt"] == second.json()["uploadedAt"]
    cur = await db.execute(
        "SELECT count(*) FROM outbox WHERE event_type = 'media.asset.uploaded.v1'"
        " AND payload->>'assetId' = %s",
        (created["id"],),
    )
    assert await cur.fetchone() == (1,)


async def test_larger_body_is_refused_by_the_store(api, client, s3_http, user, s3_client, bucket):
    created = await api.request_upload(user)
    bigger = JPEG + b"\x00"
    put = await api.put(created["upload"], bigger, **{"Content-Length": str(len(bigger))})
    assert put.status_code == 403
    assert s3_client.list_objects(bucket, prefix=f"{user.id}/") is not None
    assert [o.object_name for o in s3_client.list_objects(bucket, prefix=f"{user.id}/")] == []


async def test_other_content_type_is_refused_by_the_store(
    api, client, s3_http, user, s3_client, bucket
) -> None:
    created = await api.request_upload(user)
    put = await api.put(created["upload"], JPEG, **{"Content-Type": "text/html"})
    assert put.status_code == 403
    assert [o.object_name for o in s3_client.list_objects(bucket, prefix=f"{user.id}/")] == []


async def test_tampered_upload_url_is_refused(
    api, client, s3_http, user, s3_client, bucket
) -> None:
    created = await api.request_upload(user)
    upload = dict(created["upload"])
    # Point the signed URL at another key (e.g. someone else's asset): the signature breaks.
    upload["url"] = upload["url"].replace(str(user.id), "00000000-0000-0000-0000-000000000000")
    assert (await api.put(upload, JPEG)).status_code == 403
    upload = dict(created["upload"])
    upload["url"] = upload["url"].replace("X-Amz-Expires=900", "X-Amz-Expires=604800")
    assert (await api.put(upload, JPEG)).status_code == 403
    assert list(s3_client.list_objects(bucket, recursive=True, prefix=f"{user.id}/")) == []


async def test_expired_upload_url_is_refused(settings, s3_http, user, s3_client, bucket) -> None:
    # The service's own presigner, dated in the past: expired 1 s after a 60 s lifetime.
    request = presign(
        method="PUT",
        endpoint=settings.s3_endpoint,
        bucket=bucket,
        key=f"{user.id}/expired",
        credentials=Credentials(settings.s3_access_key, settings.s3_secret_key, "us-east-1"),
        now=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=61),
        expires_s=60,
        headers={"Content-Type": "image/jpeg", "Content-Length": str(len(JPEG))},
    )
    put = await s3_http.put(request.url, content=JPEG, headers=request.headers)
    assert put.status_code == 403
    assert list(s3_client.list_objects(bucket, prefix=f"{user.id}/")) == []


async def test_png_declared_as_jpeg_is_refused_and_deleted(
    api, client, s3_http, user, db, s3_client, bucket
) -> None:
    labels = {"reason": "magic_mismatch"}
    before = REGISTRY.get_sample_value("media_uploads_rejected_total", labels) or 0
    created = await api.request_upload(user, api.body("image/jpeg", len(PNG)))
    assert (await api.put(created["upload"], PNG)).status_code == 200
    resp = await client.post(f"/media/{created['id']}/confirm", headers=user.headers)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["type"].endswith("/upload-rejected")
    assert REGISTRY.get_sample_value("media_uploads_rejected_total", labels) == before + 1
    assert problem["errors"][0]["path"] == "object.bytes"
    assert "image/png" in problem["errors"][0]["message"]
    # The object is gone, the asset still pending (the client may upload again).
    assert list(s3_client.list_objects(bucket, prefix=f"{user.id}/")) == []
    cur = await db.execute("SELECT status FROM assets WHERE id = %s", (created["id"],))
    assert await cur.fetchone() == ("pending",)
    cur = await db.execute(
        "SELECT count(*) FROM outbox WHERE payload->>'assetId' = %s", (created["id"],)
    )
    assert await cur.fetchone() == (0,)


async def test_confirm_before_upload_is_409(api, client, user) -> None:
    created = await api.request_upload(user)
    resp = await client.post(f"/media/{created['id']}/confirm", headers=user.headers)
    assert resp.status_code == 409
    assert resp.json()["type"].endswith("/upload-missing")


async def test_object_of_another_size_is_refused_at_confirm(
    api, client, s3_http, user, s3_client, bucket, settings
) -> None:
    """An object that got there another way (not through the signed URL) is still checked."""
    import io

    created = await api.request_upload(user)
    key = f"{user.id}/{created['id']}"
    data = JPEG + b"extra"
    s3_client.put_object(bucket, key, io.BytesIO(data), len(data), content_type="image/jpeg")
    resp = await client.post(f"/media/{created['id']}/confirm", headers=user.headers)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "object.sizeBytes"
    assert list(s3_client.list_objects(bucket, prefix=f"{user.id}/")) == []
