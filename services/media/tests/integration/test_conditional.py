"""ETags of assets: the route's own tag (the presigned URL is left out), 304, If-Match on delete."""

from __future__ import annotations

from fitness_platform.etags import etag_of


async def test_asset_etag_ignores_the_signed_url_and_answers_304(api, client, user) -> None:
    ready = await api.ready_asset(user)
    first = await client.get(f"/media/{ready['id']}", headers=user.headers)
    assert first.json()["downloadUrl"]
    etag = first.headers["etag"]
    # not the hash of the body, whose signed URL changes every second
    assert etag != etag_of(first.content)
    cached = await client.get(
        f"/media/{ready['id']}", headers={**user.headers, "If-None-Match": etag}
    )
    assert cached.status_code == 304
    assert cached.content == b""


async def test_stale_if_match_on_delete_keeps_the_asset(api, client, user, db) -> None:
    ready = await api.ready_asset(user)
    stale = await client.delete(
        f"/media/{ready['id']}", headers={**user.headers, "If-Match": '"stale"'}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    cur = await db.execute("SELECT count(*) FROM assets WHERE id = %s", (ready["id"],))
    assert await cur.fetchone() == (1,)
    etag = (await client.get(f"/media/{ready['id']}", headers=user.headers)).headers["etag"]
    resp = await client.delete(f"/media/{ready['id']}", headers={**user.headers, "If-Match": etag})
    assert resp.status_code == 204
    cur = await db.execute("SELECT count(*) FROM assets WHERE id = %s", (ready["id"],))
    assert await cur.fetchone() == (0,)
