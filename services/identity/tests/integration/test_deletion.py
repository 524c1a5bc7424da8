"""Account deletion (GDPR): immediate deactivation, the event on Kafka, and the hard delete."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fitness_contracts import topics
from fitness_platform.testing import (
    consume_n,
    record_headers,
    record_json,
    user_row_counts,
    wait_until,
)
from identity import worker
from identity.settings import IdentitySettings

PASSWORD = "correct horse battery staple"
DELETED = "identity.user.deleted.v1"


async def _account(client: httpx.AsyncClient, email: str | None = None) -> dict[str, Any]:
    email = email or f"gone-{uuid.uuid4().hex[:12]}@example.com"
    reg = await client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "name": "Ada"}
    )
    assert reg.status_code == 201, reg.text
    login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    return {
        "id": reg.json()["id"],
        "email": email,
        "refresh": login.json()["refreshToken"],
        "headers": {"Authorization": f"Bearer {login.json()['accessToken']}"},
    }


async def _rows_of(engine: AsyncEngine, user_id: str) -> dict[str, int]:
    """Rows naming the user: `users` by id, every table of the schema with a user_id column."""
    async with engine.connect() as conn:
        users = await conn.scalar(text("SELECT count(*) FROM users WHERE id = :u"), {"u": user_id})
        raw = await conn.get_raw_connection()
        return {"users": int(users or 0), **await user_row_counts(raw.driver_connection, user_id)}


async def test_delete_deactivates_at_once_and_frees_the_email(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    me = await _account(client)
    other_session = await client.post(
        "/auth/login", json={"email": me["email"], "password": PASSWORD}
    )
    other_headers = {"Authorization": f"Bearer {other_session.json()['accessToken']}"}
    resp = await client.delete(f"/users/{me['id']}", headers=me["headers"])
    assert resp.status_code == 204
    assert resp.content == b""

    # Every access token of the account is refused at once (this session's and the other
    # device's); refresh and login are refused.
    assert (await client.get("/users/me", headers=me["headers"])).status_code == 401
    assert (await client.get("/users/me", headers=other_headers)).status_code == 401
    refresh = await client.post("/auth/refresh", json={"refreshToken": me["refresh"]})
    assert refresh.status_code == 401
    login = await client.post("/auth/login", json={"email": me["email"], "password": PASSWORD})
    assert login.status_code == 401
    assert login.json()["type"].endswith("/invalid-credentials")

    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT status, deleted_at, email FROM users WHERE id = :u"), {"u": me["id"]}
            )
        ).one()
        live_tokens = (
            await conn.execute(
                text(
                    "SELECT count(*) FROM refresh_tokens WHERE user_id = :u AND revoked_at IS NULL"
                ),
                {"u": me["id"]},
            )
        ).scalar_one()
        pending_mail = (
            await conn.execute(
                text("SELECT count(*) FROM email_outbox WHERE user_id = :u AND sent_at IS NULL"),
                {"u": me["id"]},
            )
        ).scalar_one()
    assert row.status == "deleted"
    assert row.deleted_at is not None
    assert me["email"] not in row.email  # scrubbed
    assert live_tokens == 0
    assert pending_mail == 0  # the unsent verification mail was cancelled

    again = await _account(client, me["email"])  # same address, new account, right away
    assert again["id"] != me["id"]
    fresh = await client.get("/users/me", headers=again["headers"])
    assert fresh.json()["email"] == me["email"]


async def test_admin_may_delete_another_account(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    admin, victim = await _account(client), await _account(client)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET roles = '{user,admin}' WHERE id = :u"), {"u": admin["id"]}
        )
    login = await client.post("/auth/login", json={"email": admin["email"], "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    resp = await client.delete(f"/users/{victim['id']}", headers=headers)
    assert resp.status_code == 204
    assert (
        await client.post("/auth/refresh", json={"refreshToken": victim["refresh"]})
    ).status_code == 401
    async with engine.connect() as conn:
        audit = (
            await conn.execute(
                text("SELECT actor_id, action FROM admin_audit WHERE target = :t"),
                {"t": f"user:{victim['id']}"},
            )
        ).all()
    assert [(str(a.actor_id), a.action) for a in audit] == [(admin["id"], "user.delete")]
    # The admin's own token is untouched; deleting the same account twice is 404.
    assert (await client.get("/users/me", headers=headers)).status_code == 200
    assert (await client.delete(f"/users/{victim['id']}", headers=headers)).status_code == 404


async def _ensure_topic(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topics.IDENTITY_USER, 1, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        await admin.close()


@pytest.fixture
async def relay(settings: IdentitySettings, process_env: Callable[..., dict[str, str]]) -> Any:
    """``python -m identity.relay`` for the session schema, as the launcher runs it."""
    assert settings.kafka_bootstrap_servers
    await _ensure_topic(settings.kafka_bootstrap_servers)
    proc = subprocess.Popen(  # noqa: ASYNC220 - starting a child does not block
        [sys.executable, "-m", "identity.relay"],
        env=process_env(settings, IDENTITY_OUTBOX_POLL_INTERVAL_S="0.2"),
    )
    yield proc
    proc.send_signal(signal.SIGTERM)
    await asyncio.to_thread(proc.wait, 20)


async def test_deleted_event_reaches_kafka_then_worker_purges_every_row(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: IdentitySettings,
    engine: AsyncEngine,
    relay: Any,
) -> None:
    me = await _account(client)
    await client.put(f"/users/{me['id']}", json={"heightCm": 180}, headers=me["headers"])
    await client.post("/auth/password-reset/request", json={"email": me["email"]})
    assert (await client.delete(f"/users/{me['id']}", headers=me["headers"])).status_code == 204

    # registered, logged_in, profile_updated, deleted — in that order, keyed by the user.
    assert settings.kafka_bootstrap_servers
    records = await consume_n(
        settings.kafka_bootstrap_servers,
        topics.IDENTITY_USER,
        4,
        timeout=60,
        key=me["id"].encode(),
    )
    types = [record_headers(r)["ce_type"] for r in records]
    assert types[-1] == DELETED, types
    headers = record_headers(records[-1])
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_source"] == "/identity"
    assert headers["ce_subject"] == me["id"]
    uuid.UUID(headers["ce_id"])
    assert headers["ce_time"].endswith("Z")
    payload = record_json(records[-1])
    assert payload["userId"] == me["id"]
    assert payload["deletedAt"]
    assert "email" not in payload

    async def published() -> bool:
        async with engine.connect() as conn:
            left = (
                await conn.execute(
                    text("SELECT count(*) FROM outbox WHERE key = :k AND published_at IS NULL"),
                    {"k": me["id"]},
                )
            ).scalar_one()
        return left == 0

    await wait_until(published, timeout=20, message="relay marked the rows published")
    before = await _rows_of(engine, me["id"])
    assert before["users"] == 1
    assert before["refresh_tokens"] >= 1
    assert before["password_reset_tokens"] == 1

    # The worker, in-process, with no grace period and the SMTP sink as its relay.
    purge_settings = settings.model_copy(
        update={
            "deletion_grace_period_s": 0,
            "purge_interval_s": 0.2,
            "smtp_host": os.environ["FITNESS_TEST_SMTP_HOST"],
            "smtp_port": int(os.environ["FITNESS_TEST_SMTP_PORT"]),
        }
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(purge_settings, stop))
    try:

        async def gone() -> bool:
            return not any((await _rows_of(engine, me["id"])).values())

        await wait_until(gone, timeout=20, message="every row of the user purged")
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)

    async with engine.connect() as conn:
        events_left = (
            await conn.execute(text("SELECT count(*) FROM outbox WHERE key = :k"), {"k": me["id"]})
        ).scalar_one()
    assert events_left == 0  # published events carried the profile: gone with the user
    assert "email_verification_tokens" in before
    assert "email_outbox" in before
