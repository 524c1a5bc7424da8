"""Use cases that go through the user's mailbox: email verification and password reset.

Tokens are 256 random bits; only their SHA-256 is stored, and they appear in no log and no
event — only in the mail (whose body the sender blanks once the mail is accepted).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.exceptions import RequestValidationError
from prometheus_client import Counter
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.problems import BadRequest, Conflict, NotFound, TooManyRequests
from identity.auth import repository as token_repo
from identity.auth.models import EmailVerificationToken, PasswordResetToken
from identity.auth.revocation import AccessRevoker
from identity.auth.tokens import hash_one_time_token, new_one_time_token
from identity.domain.password_policy import check_password
from identity.email import repository as email_repo
from identity.email.templates import password_reset_email, verification_email
from identity.passwords import PasswordHashing
from identity.settings import IdentitySettings
from identity.users import repository as user_repo
from identity.users.models import User, UserStatus

EMAIL_VERIFICATIONS = Counter("identity_email_verifications", "Email addresses verified")
PASSWORD_RESETS = Counter(
    "identity_password_resets", "Password reset steps (requested, completed)", ["step"]
)

RESEND_KEY = "identity:verify-resend:{user_id}"
INVALID_TOKEN = "The token is invalid, expired or already used."  # noqa: S105 - a message


def _now() -> datetime:
    return datetime.now(UTC)


async def queue_verification(
    *, session: AsyncSession, settings: IdentitySettings, user: User, now: datetime
) -> None:
    """A verification token and its mail, in the caller's transaction (no commit here)."""
    token = new_one_time_token()
    await token_repo.insert_one_time(
        session,
        EmailVerificationToken,
        user_id=user.id,
        token_hash=hash_one_time_token(token),
        expires_at=now + timedelta(seconds=settings.email_verification_ttl_s),
    )
    mail = verification_email(
        name=user.name,
        token=token,
        base_url=settings.email_link_base_url,
        valid_for_s=settings.email_verification_ttl_s,
    )
    await email_repo.enqueue(session, user_id=user.id, to_address=user.email, mail=mail)


async def verify_email(*, session: AsyncSession, token: str) -> None:
    now = _now()
    row = await token_repo.get_one_time_for_update(
        session, EmailVerificationToken, hash_one_time_token(token)
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise BadRequest(INVALID_TOKEN, type_slug="invalid-token")
    user = await user_repo.get_by_id(session, row.user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise BadRequest(INVALID_TOKEN, type_slug="invalid-token")
    await token_repo.use_all_one_time(session, EmailVerificationToken, user_id=user.id, at=now)
    await user_repo.set_email_verified(session, user.id)
    await session.commit()
    EMAIL_VERIFICATIONS.inc()


async def _count_resend(redis: Redis, settings: IdentitySettings, user_id: uuid.UUID) -> None:
    """Fixed window per user: the first send of a window opens it (Redis 6.2: no EXPIRE NX)."""
    key = RESEND_KEY.format(user_id=user_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=settings.verification_resend_window_s, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = await pipe.execute()
    if int(count) > settings.verification_resend_limit:
        retry_after = max(1, int(ttl))
        raise TooManyRequests(
            f"At most {settings.verification_resend_limit} verification mails per "
            f"{settings.verification_resend_window_s // 60} minutes; try again later.",
            headers={"Retry-After": str(retry_after)},
        )


async def resend_verification(
    *, session: AsyncSession, redis: Redis, settings: IdentitySettings, user_id: uuid.UUID
) -> None:
    user = await user_repo.get_by_id(session, user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise NotFound("No such user.")
    if user.email_verified:
        raise Conflict("This email address is already verified.", type_slug="already-verified")
    await _count_resend(redis, settings, user_id)
    await queue_verification(session=session, settings=settings, user=user, now=_now())
    await session.commit()


async def request_password_reset(
    *, session: AsyncSession, settings: IdentitySettings, email: str
) -> None:
    """Queue a reset mail if an active account has this email; the caller answers 202 either way.

    The token and the mail are made in both cases, so a known and an unknown address cost about
    the same (only the insert differs); the gateway rate-limits this route per IP and account.
    """
    now = _now()
    user = await user_repo.get_by_email(session, email)
    token = new_one_time_token()
    token_hash = hash_one_time_token(token)
    mail = password_reset_email(
        name=user.name if user is not None else "",
        token=token,
        base_url=settings.email_link_base_url,
        valid_for_s=settings.password_reset_ttl_s,
    )
    if user is None or user.status != UserStatus.ACTIVE:
        return
    await token_repo.insert_one_time(
        session,
        PasswordResetToken,
        user_id=user.id,
        token_hash=token_hash,
        expires_at=now + timedelta(seconds=settings.password_reset_ttl_s),
    )
    await email_repo.enqueue(session, user_id=user.id, to_address=user.email, mail=mail)
    await session.commit()
    PASSWORD_RESETS.labels("requested").inc()


async def confirm_password_reset(
    *,
    session: AsyncSession,
    passwords: PasswordHashing,
    revoker: AccessRevoker,
    token: str,
    new_password: str,
) -> None:
    """Set the new password, spend the token, and end every session of the user."""
    now = _now()
    row = await token_repo.get_one_time_for_update(
        session, PasswordResetToken, hash_one_time_token(token)
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise BadRequest(INVALID_TOKEN, type_slug="invalid-token")
    user = await user_repo.get_by_id(session, row.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        raise BadRequest(INVALID_TOKEN, type_slug="invalid-token")
    violations = check_password(new_password, email=user.email)
    if violations:
        # Nothing written yet: the token stays usable for a better password.
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "newPassword"),
                    "msg": " ".join(v.message for v in violations),
                    "type": "value_error",
                }
            ]
        )
    await user_repo.set_password_hash(session, user.id, await passwords.hash(new_password))
    await token_repo.use_all_one_time(session, PasswordResetToken, user_id=user.id, at=now)
    await token_repo.revoke_all_for_user(session, user_id=user.id, at=now)
    # The link arrived in this mailbox: that proves the address as well as a verification would.
    await user_repo.set_email_verified(session, user.id)
    # Whoever knew the old password may hold access tokens too: they end with the sessions.
    await revoker.revoke_user(user.id)
    await session.commit()
    PASSWORD_RESETS.labels("completed").inc()
