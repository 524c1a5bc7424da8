"""Media through the gateway: request an upload → PUT the bytes straight to S3 with the presigned
URL → confirm → metadata → download the same bytes → delete → 404; account deletion removes
every object and row of the user."""

from __future__ import annotations

import httpx
import psycopg
from minio import Minio

from e2e.accounts import register_and_login
from fitness_platform.testing import wait_until
from fitness_stack.endpoints import Endpoints

# A PNG signature followed by filler: the confirm step checks the first bytes.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BUCKET = "fitness-media"  # MEDIA_BUCKET's default


def _bucket_keys(e2e: Endpoints, prefix: str) -> list[str]:
    endpoint = e2e.s3_endpoint.split("://", 1)[-1]
    client = Minio(
        endpoint,
        access_key=e2e.s3_access_key,
        secret_key=e2e.s3_secret_key,
        secure=e2e.s3_endpoint.startswith("https"),
    )
    return [str(o.object_name) for o in client.list_objects(BUCKET, prefix=prefix, recursive=True)]


async def _upload(gw: httpx.AsyncClient, auth: dict[str, str], data: bytes) -> str:
    r = await gw.post(
        "/media/upload",
        headers=auth,
        json={
            "filename": "progress.png",
            "contentType": "image/png",
            "sizeBytes": len(data),
            "purpose": "progress_photo",
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "pending"
    async with httpx.AsyncClient(timeout=30) as s3:
        put = await s3.put(
            created["upload"]["url"], content=data, headers=created["upload"]["headers"]
        )
    assert put.status_code == 200, put.text
    return str(created["id"])


async def test_upload_confirm_download_delete(gw: httpx.AsyncClient) -> None:
    acc = await register_and_login(gw, name="Media")
    asset_id = await _upload(gw, acc.auth, PNG)

    confirmed = await gw.post(f"/media/{asset_id}/confirm", headers=acc.auth)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "ready"

    meta = await gw.get(f"/media/{asset_id}", headers=acc.auth)
    assert meta.status_code == 200
    body = meta.json()
    assert (body["contentType"], body["sizeBytes"], body["purpose"]) == (
        "image/png",
        len(PNG),
        "progress_photo",
    )
    async with httpx.AsyncClient(timeout=30) as s3:
        download = await s3.get(body["downloadUrl"])
    assert download.status_code == 200
    assert download.content == PNG

    listing = await gw.get("/media", params={"purpose": "progress_photo"}, headers=acc.auth)
    assert [i["id"] for i in listing.json()["items"]] == [asset_id]

    other = await register_and_login(gw, name="Other")
    assert (await gw.get(f"/media/{asset_id}", headers=other.auth)).status_code == 404

    assert (await gw.delete(f"/media/{asset_id}", headers=acc.auth)).status_code == 204
    gone = await gw.get(f"/media/{asset_id}", headers=acc.auth)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")


async def test_account_deletion_erases_media(gw: httpx.AsyncClient, e2e: Endpoints) -> None:
    acc = await register_and_login(gw, name="Leaving media")
    asset_id = await _upload(gw, acc.auth, PNG)
    assert (await gw.post(f"/media/{asset_id}/confirm", headers=acc.auth)).status_code == 200
    assert _bucket_keys(e2e, f"{acc.id}/") == [f"{acc.id}/{asset_id}"]

    assert (await gw.delete(f"/users/{acc.id}", headers=acc.auth)).status_code == 204

    async def erased() -> bool:
        async with await psycopg.AsyncConnection.connect(e2e.pg_admin_url) as conn:
            cur = await conn.execute(
                "SELECT count(*) FROM media.assets WHERE user_id = %s", (acc.id,)
            )
            rows = await cur.fetchone()
        return rows == (0,) and _bucket_keys(e2e, f"{acc.id}/") == []

    await wait_until(erased, timeout=60, interval=0.3, message="media objects erased")
