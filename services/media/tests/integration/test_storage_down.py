"""S3 away: requesting an upload still works (presigning needs no S3), confirm is a 503 problem
with Retry-After, readiness reports s3; nothing is changed."""

from __future__ import annotations

from fitness_platform.testing import free_port, running_app


async def test_s3_down_is_503_not_500(settings, user, db) -> None:
    from media.main import create_app

    dead = settings.model_copy(update={"s3_endpoint": f"http://127.0.0.1:{free_port()}"})
    async with running_app(create_app(dead)) as client:
        created = await client.post(
            "/media/upload",
            json={
                "filename": "a.png",
                "contentType": "image/png",
                "sizeBytes": 10,
                "purpose": "avatar",
            },
            headers=user.headers,
        )
        assert created.status_code == 201
        asset_id = created.json()["id"]
        resp = await client.post(f"/media/{asset_id}/confirm", headers=user.headers)
        assert resp.status_code == 503
        assert resp.headers["retry-after"] == "1"
        assert resp.json()["type"].endswith("/storage-unavailable")
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert "s3" in ready.json()["failing"]
    cur = await db.execute("SELECT status FROM assets WHERE id = %s", (asset_id,))
    assert await cur.fetchone() == ("pending",)


async def test_erasure_with_s3_down_still_erases_rows(api, settings, user, db, app) -> None:
    """The rows go at once; the objects are left to the orphan sweep, not retried into the DLQ."""
    from media import gdpr
    from media.storage.store import ObjectStore

    await api.ready_asset(user)
    dead = ObjectStore(
        settings.model_copy(update={"s3_endpoint": f"http://127.0.0.1:{free_port()}"})
    )
    async with app.state.sessionmaker() as session, session.begin():
        await gdpr.erase_user(session, user.id, store=dead)
    cur = await db.execute("SELECT count(*) FROM assets WHERE user_id = %s", (user.id,))
    assert await cur.fetchone() == (0,)
