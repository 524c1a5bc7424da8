"""SQL for ``email_outbox``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.email.models import OutgoingEmail
from identity.email.templates import RenderedEmail


async def enqueue(
    session: AsyncSession, *, user_id: uuid.UUID | None, to_address: str, mail: RenderedEmail
) -> None:
    """Add a mail in the caller's transaction; the worker sends it after the commit."""
    session.add(
        OutgoingEmail(
            user_id=user_id,
            to_address=to_address,
            subject=mail.subject,
            text_body=mail.text,
            html_body=mail.html,
        )
    )
    await session.flush()


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int, max_attempts: int
) -> Sequence[OutgoingEmail]:
    """Lease due mails: bump ``attempts`` and push ``next_attempt_at`` to ``lease_until``.

    The lease (not a long transaction) keeps two workers from sending one mail; if a worker dies
    mid-send, the mail becomes due again when the lease runs out (at-least-once delivery).
    """
    due = (
        select(OutgoingEmail.id)
        .where(
            OutgoingEmail.sent_at.is_(None),
            OutgoingEmail.next_attempt_at <= now,
            OutgoingEmail.attempts < max_attempts,
        )
        .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(OutgoingEmail)
        .where(OutgoingEmail.id.in_(due.scalar_subquery()))
        .values(attempts=OutgoingEmail.attempts + 1, next_attempt_at=lease_until)
        .returning(OutgoingEmail)
    )
    rows = (await session.execute(stmt)).scalars().all()
    return sorted(rows, key=lambda row: row.id)


async def mark_sent(session: AsyncSession, *, email_id: int, at: datetime) -> None:
    """Record the send and blank the bodies: a one-time link must not outlive its delivery."""
    stmt = (
        update(OutgoingEmail)
        .where(OutgoingEmail.id == email_id)
        .values(sent_at=at, text_body="", html_body="", last_error=None)
    )
    await session.execute(stmt)


async def mark_failed(
    session: AsyncSession, *, email_id: int, error: str, retry_at: datetime
) -> None:
    stmt = (
        update(OutgoingEmail)
        .where(OutgoingEmail.id == email_id)
        .values(last_error=error[:1000], next_attempt_at=retry_at)
    )
    await session.execute(stmt)


async def drop_pending_for_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Cancel unsent mails of a user (account deleted: no more mail to that address)."""
    stmt = delete(OutgoingEmail).where(
        OutgoingEmail.user_id == user_id, OutgoingEmail.sent_at.is_(None)
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
