"""Use cases of account deletion: deactivate now (``DELETE /users/{id}``), purge later (worker)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.identity import UserDeletedV1
from fitness_platform import audit
from fitness_platform.outbox import add_event
from fitness_platform.problems import NotFound
from identity.auth import repository as token_repo
from identity.auth.models import EmailVerificationToken, PasswordResetToken
from identity.auth.revocation import AccessRevoker
from identity.deletion import repository
from identity.email import repository as email_repo
from identity.users import repository as user_repo
from identity.users.models import UserStatus

log = logging.getLogger(__name__)

DELETIONS = Counter("identity_account_deletions", "Accounts deactivated", ["by"])
PURGED = Counter("identity_accounts_purged", "Deactivated accounts hard-deleted")

_PURGE_BATCH = 100


def scrubbed_email(user_id: uuid.UUID) -> str:
    """Stands in for the address until the purge: unique, undeliverable (RFC 2606 .invalid)."""
    return f"deleted-{user_id.hex}@deleted.invalid"


async def delete_account(
    *,
    session: AsyncSession,
    revoker: AccessRevoker,
    actor_id: uuid.UUID,
    actor_roles: Sequence[str],
    user_id: uuid.UUID,
    ip: str | None = None,
) -> None:
    """Deactivate: status deleted, email freed, tokens revoked, mails cancelled, event emitted.

    An admin deleting someone else's account leaves an audit row in the same transaction.
    """
    is_owner = actor_id == user_id
    if not is_owner and "admin" not in actor_roles:
        raise NotFound("No such user.")
    user = await user_repo.get_for_update(session, user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise NotFound("No such user.")
    now = datetime.now(UTC)
    await user_repo.deactivate(session, user_id, scrubbed_email=scrubbed_email(user_id), at=now)
    await token_repo.revoke_all_for_user(session, user_id=user_id, at=now)
    for model in (EmailVerificationToken, PasswordResetToken):
        await token_repo.use_all_one_time(session, model, user_id=user_id, at=now)
    await email_repo.drop_pending_for_user(session, user_id)
    await add_event(session, UserDeletedV1(user_id=user_id, deleted_at=now), key=str(user_id))
    if not is_owner:
        await audit.record(
            session, actor_id=actor_id, action="user.delete", target=f"user:{user_id}", ip=ip
        )
    await revoker.revoke_user(user_id)  # every access token of the account, in every session
    await session.commit()
    DELETIONS.labels("owner" if is_owner else "admin").inc()


async def purge_expired(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    grace: timedelta,
    now: datetime | None = None,
) -> int:
    """Hard-delete accounts deactivated more than ``grace`` ago; returns how many."""
    cutoff = (now or datetime.now(UTC)) - grace
    total = 0
    while True:
        async with sessionmaker() as session:
            ids = await repository.due_for_purge(session, cutoff=cutoff, limit=_PURGE_BATCH)
            if not ids:
                return total
            await repository.purge(session, ids)
            await session.commit()
        total += len(ids)
        PURGED.inc(len(ids))
        log.info("purged deleted accounts", extra={"count": len(ids)})
