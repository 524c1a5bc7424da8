"""Kafka down while users write: every write answers 2xx (events wait in the outboxes), and once
the broker is back every event is applied exactly once by every group subscribed to it.

The outage lasts FITNESS_CHAOS_KAFKA_OUTAGE_S (default the issue's 30 s): the relays' publish
attempts fail and back off (0.5, 1, 2, 4, 8 s …, capped at 30 s) and the consumers' reconnect
loop (aiokafka retries the bootstrap every `retry_backoff_ms`) runs through several rounds.
The chaos fleet's broker keeps its log on S3 (conftest.KAFKA_STORAGE), as a Kafka cluster does
through an outage; FITNESS_CHAOS_KAFKA_STORAGE=memory runs the local default, whose restart also
wipes every topic and committed offset so the relays replay their outboxes.
"""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import psycopg
import pytest

from e2e.chaos import ChaosFleet, delivery, effects, goal_progress, user_story
from fitness_platform.testing import wait_until

# The package's fleet starts inside the first test's setup (~100 s on a loaded 2-core box).
pytestmark = [
    pytest.mark.timeout(600),
]

OUTAGE_S = float(os.environ.get("FITNESS_CHAOS_KAFKA_OUTAGE_S", "30"))
USERS = 3


async def test_writes_during_a_kafka_outage_are_applied_exactly_once(
    chaos: ChaosFleet, gw: httpx.AsyncClient, db: psycopg.AsyncConnection
) -> None:
    before = await user_story(gw, name="Before outage")  # its events get replayed later

    async def before_applied() -> bool:
        return (await delivery(db, [before.account.id])).complete

    await wait_until(before_applied, timeout=90, interval=0.5, message="events before the outage")

    chaos.stop("kafka")
    down_at = time.monotonic()
    stories = [await user_story(gw, name=f"During outage {i}") for i in range(USERS)]
    ids = [s.account.id for s in stories]
    # Nothing can have reached a consumer: the events are waiting in the outboxes.
    during = await delivery(db, ids)
    assert during.events > 0
    assert during.unpublished == during.events
    assert (await effects(db, ids[0]))["progress.workouts"] == 0
    await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))  # the fault itself
    chaos.start("kafka")

    everyone = [before.account.id, *ids]

    async def all_applied() -> bool:
        report = await delivery(db, everyone)
        if not report.complete:
            return False
        for story in (before, *stories):
            if await effects(db, story.account.id) != story.expected:
                return False
        return True

    await wait_until(all_applied, timeout=180, interval=1.0, message="events after the outage")
    report = await delivery(db, everyone)
    assert report.missing == []
    assert report.doubled == []
    assert report.unpublished == 0
    for story in (before, *stories):
        assert await effects(db, story.account.id) == story.expected
        assert await goal_progress(gw, story) == story.goal_progress_pct
