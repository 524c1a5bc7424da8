"""Use cases of /auth: register, login, refresh (rotation + reuse detection), logout."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.identity import UserLoggedInV1, UserRegisteredV1
from fitness_platform.auth import DENYLIST_KEY, user_revoked_since
from fitness_platform.outbox import add_event
from fitness_platform.problems import Conflict, Forbidden, Unauthorized
from identity.activity.service import record_activity
from identity.auth import email_flows
from identity.auth import repository as token_repo
from identity.auth.tokens import hash_refresh_token, mint_access_token, new_refresh_token
from identity.keys import KeyRing
from identity.metrics import LOGINS, LOGOUTS, REFRESHES, REGISTRATIONS
from identity.passwords import PasswordHashing
from identity.settings import IdentitySettings
from identity.users import repository as user_repo
from identity.users.models import User, UserStatus

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Email or password is incorrect."
INVALID_REFRESH = "The refresh token is invalid, expired or revoked."


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def _now() -> datetime:
    return datetime.now(UTC)


async def register(
    *,
    session: AsyncSession,
    passwords: PasswordHashing,
    settings: IdentitySettings,
    email: str,
    password: str,
    name: str,
) -> User:
    """Create the account, its ``registered`` event and the verification mail in one transaction.

    409 on a taken email.
    """
    # Cheap check first so a duplicate does not cost an Argon2 hash; the unique index decides races.
    if await user_repo.email_exists(session, email):
        raise _email_taken()
    password_hash = await passwords.hash(password)
    try:
        user = await user_repo.insert(session, email=email, name=name, password_hash=password_hash)
    except IntegrityError:
        await session.rollback()
        raise _email_taken() from None
    await add_event(
        session,
        UserRegisteredV1(user_id=user.id, name=user.name, registered_at=user.created_at),
        key=str(user.id),
        subject=str(user.id),
    )
    await email_flows.queue_verification(
        session=session, settings=settings, user=user, now=user.created_at
    )
    await session.commit()
    REGISTRATIONS.inc()
    return user


def _email_taken() -> Conflict:
    return Conflict("An account with this email already exists.", type_slug="email-taken")


async def login(
    *,
    session: AsyncSession,
    passwords: PasswordHashing,
    keyring: KeyRing,
    settings: IdentitySettings,
    redis: Redis,
    email: str,
    password: str,
) -> IssuedTokens:
    user = await user_repo.get_by_email(session, email)
    if user is None:
        await passwords.dummy_verify(password)
        raise _invalid_credentials()
    if not await passwords.verify(user.password_hash, password):
        raise _invalid_credentials()
    if user.status == UserStatus.DELETED:
        # A deleted account is indistinguishable from an unknown one.
        raise _invalid_credentials()
    if user.status != UserStatus.ACTIVE:
        LOGINS.labels("blocked").inc()
        raise Forbidden("This account is blocked.", type_slug="account-blocked")
    if passwords.needs_rehash(user.password_hash):
        await user_repo.set_password_hash(session, user.id, await passwords.hash(password))
    now = _now()
    issued = await _issue(
        session=session,
        keyring=keyring,
        settings=settings,
        redis=redis,
        user=user,
        family_id=uuid.uuid4(),
        now=now,
    )
    await _record_login_activity(session, user.id, now)
    await session.commit()
    LOGINS.labels("ok").inc()
    return issued


async def _record_login_activity(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """DAU/MAU: the user is active on this UTC day. ``logged_in.v1`` is an activity event, not a
    security log: only the day's first login/refresh publishes it (a refresh every few minutes
    would otherwise fill the event log with copies that carry no information). Failed logins,
    reuse detection and revocations are logged and counted, never deduplicated."""
    if await record_activity(session, user_id, now.date()):
        await add_event(session, UserLoggedInV1(user_id=user_id, at=now), key=str(user_id))


def _invalid_credentials() -> Unauthorized:
    LOGINS.labels("invalid_credentials").inc()
    return Unauthorized(INVALID_CREDENTIALS, type_slug="invalid-credentials")


def _invalid_refresh(result: str = "invalid") -> Unauthorized:
    REFRESHES.labels(result).inc()
    return Unauthorized(INVALID_REFRESH, type_slug="invalid-refresh-token")


async def refresh(
    *,
    session: AsyncSession,
    keyring: KeyRing,
    settings: IdentitySettings,
    redis: Redis,
    refresh_token: str,
) -> IssuedTokens:
    """Rotate: the presented token is spent; presenting a spent token revokes its whole family."""
    now = _now()
    row = await token_repo.get_for_update(session, hash_refresh_token(refresh_token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise _invalid_refresh()
    if row.rotated_at is not None:
        # Reuse of a rotated token: someone holds a stolen copy. Kill the session for everyone.
        await token_repo.revoke_family(
            session, family_id=row.family_id, user_id=row.user_id, at=now
        )
        await session.commit()
        log.warning(
            "refresh token reuse detected; family revoked",
            extra={"user_id": str(row.user_id), "family_id": str(row.family_id)},
        )
        raise _invalid_refresh("reuse_detected")
    user = await user_repo.get_by_id(session, row.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        await token_repo.revoke_family(
            session, family_id=row.family_id, user_id=row.user_id, at=now
        )
        await session.commit()
        raise _invalid_refresh()
    issued = await _issue(
        session=session,
        keyring=keyring,
        settings=settings,
        redis=redis,
        user=user,
        family_id=row.family_id,
        now=now,
        replaces=row.id,
    )
    await _record_login_activity(session, user.id, now)
    await session.commit()
    REFRESHES.labels("ok").inc()
    return issued


async def logout(
    *,
    session: AsyncSession,
    redis: Redis,
    user_id: uuid.UUID,
    session_id: uuid.UUID | None,
    jti: str,
    expires_at: int,
    refresh_token: str | None,
) -> None:
    """Revoke the current session's family (and the given refresh token's) and deny the jti."""
    now = _now()
    families: set[uuid.UUID] = set()
    if session_id is not None:
        families.add(session_id)
    if refresh_token is not None:
        row = await token_repo.get_by_hash(session, hash_refresh_token(refresh_token))
        # Another user's token is silently ignored (revoke_family filters by user too).
        if row is not None and row.user_id == user_id:
            families.add(row.family_id)
    for family_id in families:
        await token_repo.revoke_family(session, family_id=family_id, user_id=user_id, at=now)
    await session.commit()
    ttl = max(1, expires_at - int(now.timestamp()))
    await redis.set(DENYLIST_KEY.format(jti=jti), "1", ex=ttl)
    LOGOUTS.inc()


async def _revocation_mark(redis: Redis, user_id: uuid.UUID) -> int | None:
    try:
        return await user_revoked_since(redis, user_id)
    except (RedisError, OSError) as exc:
        # Without the mark a token minted in the very second of a revocation would be refused
        # until it expires; refusing the login for a Redis blip would be worse.
        log.warning("revocation mark unavailable", extra={"error": repr(exc)})
        return None


async def _issue(
    *,
    session: AsyncSession,
    keyring: KeyRing,
    settings: IdentitySettings,
    redis: Redis,
    user: User,
    family_id: uuid.UUID,
    now: datetime,
    replaces: uuid.UUID | None = None,
) -> IssuedTokens:
    refresh_token = new_refresh_token()
    row = await token_repo.insert(
        session,
        user_id=user.id,
        family_id=family_id,
        token_hash=hash_refresh_token(refresh_token),
        expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
    )
    if replaces is not None:
        await token_repo.mark_rotated(session, token_id=replaces, replaced_by=row.id, at=now)
    access = mint_access_token(
        keyring=keyring,
        user_id=user.id,
        roles=list(user.roles),
        session_id=family_id,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        now=now,
        ttl=timedelta(seconds=settings.access_token_ttl_s),
        not_before=await _revocation_mark(redis, user.id),
    )
    return IssuedTokens(
        access_token=access.token,
        refresh_token=refresh_token,
        expires_in=settings.access_token_ttl_s,
    )
