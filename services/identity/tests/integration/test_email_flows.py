"""Email verification and password reset, end to end through the worker's sender and the SMTP sink.

The sink (root conftest) writes each received mail to FITNESS_TEST_SMTP_MAILDIR; the tests read
the token from there, as a user would read it from their inbox.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import os
import re
import signal
import subprocess
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fitness_platform.testing import wait_until
from identity.email.sender import send_due
from identity.settings import IdentitySettings

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 42"
PROBLEM = "application/problem+json"
_TOKEN = re.compile(r"enter this code in the app: ([A-Za-z0-9_-]{43})")


@pytest.fixture(scope="module")
def mail_settings(settings: IdentitySettings) -> IdentitySettings:
    """The app's settings pointed at the session's SMTP sink."""
    return settings.model_copy(
        update={
            "smtp_host": os.environ["FITNESS_TEST_SMTP_HOST"],
            "smtp_port": int(os.environ["FITNESS_TEST_SMTP_PORT"]),
        }
    )


@pytest.fixture(scope="module")
def maildir() -> Path:
    return Path(os.environ["FITNESS_TEST_SMTP_MAILDIR"])


def _mails_to(maildir: Path, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(maildir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found


async def _inbox(
    app: FastAPI, settings: IdentitySettings, maildir: Path, address: str, count: int
) -> list[EmailMessage]:
    """Run the sender until ``count`` mails for ``address`` are in the sink (or fail)."""

    async def delivered() -> list[EmailMessage] | None:
        await send_due(app.state.sessionmaker, settings)
        mails = _mails_to(maildir, address)
        return mails if len(mails) >= count else None

    mails = await wait_until(delivered, timeout=20, interval=0.1, message=f"mail to {address}")
    return mails


def _token(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = _TOKEN.search(body.get_content())
    assert match, body.get_content()
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert match.group(1) in html.get_content()  # both parts carry the same token
    return match.group(1)


async def _register(client: httpx.AsyncClient) -> dict[str, Any]:
    address = f"mail-{uuid.uuid4().hex[:12]}@example.com"
    reg = await client.post(
        "/auth/register", json={"email": address, "password": PASSWORD, "name": "Ada"}
    )
    assert reg.status_code == 201, reg.text
    login = await client.post("/auth/login", json={"email": address, "password": PASSWORD})
    assert login.status_code == 200
    tokens = login.json()
    return {
        "id": reg.json()["id"],
        "email": address,
        "refresh": tokens["refreshToken"],
        "headers": {"Authorization": f"Bearer {tokens['accessToken']}"},
    }


async def test_register_sends_verification_mail_and_token_verifies_once(
    client: httpx.AsyncClient,
    app: FastAPI,
    mail_settings: IdentitySettings,
    maildir: Path,
    engine: AsyncEngine,
) -> None:
    me = await _register(client)
    [mail] = await _inbox(app, mail_settings, maildir, me["email"], 1)
    assert mail["Subject"] == "Confirm your email address"
    token = _token(mail)

    # Only the hash is stored; the sent mail's bodies are blanked.
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                text("SELECT token_hash FROM email_verification_tokens WHERE user_id = :u"),
                {"u": me["id"]},
            )
        ).scalar_one()
        bodies = (
            await conn.execute(
                text("SELECT text_body, html_body, sent_at FROM email_outbox WHERE user_id = :u"),
                {"u": me["id"]},
            )
        ).one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert (bodies.text_body, bodies.html_body) == ("", "")
    assert bodies.sent_at is not None

    before = await client.get("/users/me", headers=me["headers"])
    assert before.json()["emailVerified"] is False
    ok = await client.post("/auth/verify-email", json={"token": token})
    assert ok.status_code == 204
    after = await client.get("/users/me", headers=me["headers"])
    assert after.json()["emailVerified"] is True

    again = await client.post("/auth/verify-email", json={"token": token})
    assert again.status_code == 400
    assert again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["type"].endswith("/invalid-token")


async def test_expired_or_unknown_verification_token_is_refused(
    client: httpx.AsyncClient,
    app: FastAPI,
    mail_settings: IdentitySettings,
    maildir: Path,
    engine: AsyncEngine,
) -> None:
    me = await _register(client)
    token = _token((await _inbox(app, mail_settings, maildir, me["email"], 1))[0])
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE email_verification_tokens SET expires_at = now() - interval '1 second' "
                "WHERE user_id = :u"
            ),
            {"u": me["id"]},
        )
    expired = await client.post("/auth/verify-email", json={"token": token})
    assert expired.status_code == 400
    unknown = await client.post("/auth/verify-email", json={"token": "x" * 43})
    assert unknown.status_code == 400
    me_now = await client.get("/users/me", headers=me["headers"])
    assert me_now.json()["emailVerified"] is False


async def test_resend_is_authenticated_rate_limited_and_sends_a_fresh_token(
    client: httpx.AsyncClient,
    app: FastAPI,
    mail_settings: IdentitySettings,
    maildir: Path,
    redis_client: Redis,
) -> None:
    me = await _register(client)
    assert (await client.post("/auth/verify-email/resend")).status_code == 401
    for _ in range(mail_settings.verification_resend_limit):
        resp = await client.post("/auth/verify-email/resend", headers=me["headers"])
        assert resp.status_code == 202, resp.text
    limited = await client.post("/auth/verify-email/resend", headers=me["headers"])
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith(PROBLEM)
    assert 0 < int(limited.headers["retry-after"]) <= mail_settings.verification_resend_window_s

    mails = await _inbox(app, mail_settings, maildir, me["email"], 4)  # register + 3 resends
    tokens = {_token(m) for m in mails}
    assert len(tokens) == 4
    # Any of them verifies (the newest here); afterwards resend says there is nothing to do.
    assert (
        await client.post("/auth/verify-email", json={"token": _token(mails[-1])})
    ).status_code == 204
    await redis_client.flushdb()  # reset the window, so the answer is about verification
    done = await client.post("/auth/verify-email/resend", headers=me["headers"])
    assert done.status_code == 409


async def test_password_reset_sets_password_once_and_revokes_sessions(
    client: httpx.AsyncClient,
    app: FastAPI,
    mail_settings: IdentitySettings,
    maildir: Path,
) -> None:
    me = await _register(client)
    resp = await client.post("/auth/password-reset/request", json={"email": me["email"].upper()})
    assert resp.status_code == 202
    mails = await _inbox(app, mail_settings, maildir, me["email"], 2)
    [reset] = [m for m in mails if m["Subject"] == "Reset your password"]
    token = _token(reset)

    weak = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "newPassword": "password1234"}
    )
    assert weak.status_code == 422
    assert [e["path"] for e in weak.json()["errors"]] == ["body.newPassword"]

    ok = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert ok.status_code == 204, ok.text

    reused = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "newPassword": "yet another passphrase"},
    )
    assert reused.status_code == 400
    assert reused.json()["type"].endswith("/invalid-token")

    old_refresh = await client.post("/auth/refresh", json={"refreshToken": me["refresh"]})
    assert old_refresh.status_code == 401
    # Access tokens issued before the reset end with the sessions.
    old_access = await client.get("/users/me", headers=me["headers"])
    assert old_access.status_code == 401
    old_login = await client.post("/auth/login", json={"email": me["email"], "password": PASSWORD})
    assert old_login.status_code == 401
    new_login = await client.post(
        "/auth/login", json={"email": me["email"], "password": NEW_PASSWORD}
    )
    assert new_login.status_code == 200
    profile = await client.get(
        "/users/me", headers={"Authorization": f"Bearer {new_login.json()['accessToken']}"}
    )
    assert profile.json()["emailVerified"] is True  # the reset link proved the mailbox


async def test_expired_reset_token_is_refused(
    client: httpx.AsyncClient,
    app: FastAPI,
    mail_settings: IdentitySettings,
    maildir: Path,
    engine: AsyncEngine,
) -> None:
    me = await _register(client)
    await client.post("/auth/password-reset/request", json={"email": me["email"]})
    mails = await _inbox(app, mail_settings, maildir, me["email"], 2)
    token = _token(next(m for m in mails if m["Subject"] == "Reset your password"))
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' "
                "WHERE user_id = :u"
            ),
            {"u": me["id"]},
        )
    resp = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert resp.status_code == 400
    still = await client.post("/auth/login", json={"email": me["email"], "password": PASSWORD})
    assert still.status_code == 200


async def test_reset_request_for_unknown_email_looks_the_same_and_sends_nothing(
    client: httpx.AsyncClient,
    app: FastAPI,
    mail_settings: IdentitySettings,
    maildir: Path,
    engine: AsyncEngine,
) -> None:
    me = await _register(client)
    ghost = f"ghost-{uuid.uuid4().hex[:12]}@example.com"
    known = await client.post("/auth/password-reset/request", json={"email": me["email"]})
    unknown = await client.post("/auth/password-reset/request", json={"email": ghost})
    malformed = await client.post("/auth/password-reset/request", json={"email": "not-an-email"})
    assert known.status_code == unknown.status_code == malformed.status_code == 202
    assert known.json() == unknown.json() == malformed.json()
    assert known.headers["content-type"] == unknown.headers["content-type"]
    await _inbox(app, mail_settings, maildir, me["email"], 2)  # the sender has drained the queue
    assert _mails_to(maildir, ghost) == []
    async with engine.connect() as conn:
        queued = (
            await conn.execute(
                text("SELECT count(*) FROM email_outbox WHERE to_address = :a"), {"a": ghost}
            )
        ).scalar_one()
    assert queued == 0


async def test_failed_send_is_retried_with_backoff(
    client: httpx.AsyncClient, app: FastAPI, mail_settings: IdentitySettings, engine: AsyncEngine
) -> None:
    """Nothing listens on the configured port: the row records the error and waits."""
    me = await _register(client)
    dead = mail_settings.model_copy(update={"smtp_port": _closed_port(), "smtp_timeout_s": 2.0})
    async with engine.begin() as conn:
        # Only this user's mail is due, so the batch cannot deliver anybody else's to nowhere.
        await conn.execute(
            text(
                "UPDATE email_outbox SET next_attempt_at = now() + interval '1 hour' "
                "WHERE sent_at IS NULL AND user_id <> :u"
            ),
            {"u": me["id"]},
        )
    report = await send_due(app.state.sessionmaker, dead)
    assert report.failed >= 1
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT attempts, last_error, sent_at, next_attempt_at > now() AS later "
                    "FROM email_outbox WHERE user_id = :u"
                ),
                {"u": me["id"]},
            )
        ).one()
    assert row.attempts == 1
    assert row.last_error
    assert row.sent_at is None
    assert row.later is True
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE email_outbox SET next_attempt_at = now() WHERE sent_at IS NULL")
        )


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_worker_process_sends_mail_and_stops_cleanly_on_sigterm(
    client: httpx.AsyncClient, settings: IdentitySettings, maildir: Path
) -> None:
    """``python -m identity.worker`` as the launcher runs it, against the SMTP sink."""
    env = dict(os.environ)
    env.update(
        {
            "IDENTITY_ENVIRONMENT": "test",
            "IDENTITY_DATABASE_URL": settings.database_url,
            "IDENTITY_DB_SCHEMA": settings.db_schema,
            "IDENTITY_REDIS_URL": settings.redis_url or "",
            "IDENTITY_SMTP_HOST": os.environ["FITNESS_TEST_SMTP_HOST"],
            "IDENTITY_SMTP_PORT": os.environ["FITNESS_TEST_SMTP_PORT"],
            "IDENTITY_EMAIL_POLL_INTERVAL_S": "0.2",
            "IDENTITY_LOG_LEVEL": "WARNING",
        }
    )
    proc = subprocess.Popen(  # noqa: ASYNC220 - starting a child does not block
        [sys.executable, "-m", "identity.worker"], env=env
    )
    try:
        me = await _register(client)
        mails = await wait_until(
            lambda: _mails_to(maildir, me["email"]), timeout=30, message="worker delivered"
        )
        assert mails[0]["Subject"] == "Confirm your email address"
    finally:
        proc.send_signal(signal.SIGTERM)
        returncode = await asyncio.to_thread(proc.wait, 20)
    assert returncode == 0
