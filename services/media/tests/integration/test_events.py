"""Outbox → Kafka through the relay the service runs: uploaded and deleted events reach
media.asset as CloudEvents keyed by the user."""

from __future__ import annotations

import asyncio
import contextlib

from fitness_platform.db import create_engine
from fitness_platform.outbox import OutboxRelay, ProducerSettings
from fitness_platform.testing import consume_n, record_headers, record_json


async def test_uploaded_and_deleted_events_are_published(
    api, client, user, settings, kafka_bootstrap
) -> None:
    ready = await api.ready_asset(user)
    assert (await client.delete(f"/media/{ready['id']}", headers=user.headers)).status_code == 204
    engine = create_engine(settings)
    relay = OutboxRelay(engine, settings.db_schema, ProducerSettings.from_settings(settings))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        records = await consume_n(
            kafka_bootstrap, "media.asset", 2, timeout=60, key=str(user.id).encode()
        )
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        await engine.dispose()
    assert [record_headers(r)["ce_type"] for r in records] == [
        "media.asset.uploaded.v1",
        "media.asset.deleted.v1",
    ]
    assert {record_headers(r)["ce_subject"] for r in records} == {str(user.id)}
    uploaded, deleted = (record_json(r) for r in records)
    assert uploaded["assetId"] == deleted["assetId"] == ready["id"]
    assert (uploaded["purpose"], uploaded["contentType"], uploaded["sizeBytes"]) == (
        "avatar",
        "image/jpeg",
        len(api.JPEG),
    )
    assert deleted["reason"] == "user"
