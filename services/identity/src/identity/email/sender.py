"""Sends due ``email_outbox`` rows by SMTP (aiosmtplib) with capped exponential backoff."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from identity.email import repository
from identity.email.models import OutgoingEmail
from identity.settings import IdentitySettings

log = logging.getLogger(__name__)

# How long a claimed mail stays invisible to other workers while this one sends it.
_LEASE = timedelta(minutes=5)

Transport = Callable[[EmailMessage], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SendReport:
    sent: int
    failed: int


def build_message(row: OutgoingEmail, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain="fitness.example")
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


def smtp_transport(settings: IdentitySettings) -> Transport:
    """The real transport: one SMTP connection per mail (volumes are a few mails a minute)."""

    async def send(message: EmailMessage) -> None:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_s,
        )

    return send


def retry_delay(attempts: int, *, base_s: float, max_s: float) -> timedelta:
    """Capped exponential backoff: base, 2×base, 4×base, … up to max."""
    return timedelta(seconds=min(max_s, base_s * 2 ** max(0, attempts - 1)))


async def send_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: IdentitySettings,
    *,
    transport: Transport | None = None,
    now: datetime | None = None,
) -> SendReport:
    """Send one batch of due mails; returns how many went out and how many failed."""
    transport = transport or smtp_transport(settings)
    now = now or datetime.now(UTC)
    async with sessionmaker() as session:
        rows = await repository.claim_due(
            session,
            now=now,
            lease_until=now + _LEASE,
            limit=settings.email_batch_size,
            max_attempts=settings.email_max_attempts,
        )
        await session.commit()
    sent = failed = 0
    for row in rows:
        try:
            await transport(build_message(row, sender=settings.email_from))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            failed += 1
            retry_at = datetime.now(UTC) + retry_delay(
                row.attempts, base_s=settings.email_retry_base_s, max_s=settings.email_retry_max_s
            )
            # No address or body in the log: the body may carry a one-time token.
            log.warning(
                "email send failed",
                extra={"email_id": row.id, "attempts": row.attempts, "error": type(exc).__name__},
            )
            if row.attempts >= settings.email_max_attempts:
                # The row stays unsent with its last_error: alert on it, resend by hand if needed.
                log.error("email given up", extra={"email_id": row.id, "attempts": row.attempts})
            async with sessionmaker() as session:
                await repository.mark_failed(
                    session, email_id=row.id, error=repr(exc), retry_at=retry_at
                )
                await session.commit()
            continue
        sent += 1
        async with sessionmaker() as session:
            await repository.mark_sent(session, email_id=row.id, at=datetime.now(UTC))
            await session.commit()
    return SendReport(sent=sent, failed=failed)
