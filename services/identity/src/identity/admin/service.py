"""Admin use cases: search users, change a user's status/roles (audited, in one transaction)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.audit import AuditContext
from fitness_platform.pagination import PageParams
from fitness_platform.problems import Conflict, NotFound
from identity.admin import repository as admin_repo
from identity.admin.models import AdminAudit
from identity.admin.schemas import AdminUserPatch
from identity.auth import repository as token_repo
from identity.auth.revocation import AccessRevoker
from identity.users.models import User, UserStatus

log = logging.getLogger(__name__)

ACTION_USER_UPDATE = "user.update"


async def search_users(
    *,
    session: AsyncSession,
    filters: admin_repo.UserFilter,
    sort: str,
    descending: bool,
    page: PageParams,
) -> tuple[list[User], int]:
    if not admin_repo.storable(filters.email, filters.name):
        return [], 0
    return await admin_repo.search_users(
        session,
        filters=filters,
        sort=sort,
        descending=descending,
        offset=page.offset,
        limit=page.limit,
    )


async def update_user(
    *,
    session: AsyncSession,
    revoker: AccessRevoker,
    audit: AuditContext,
    user_id: uuid.UUID,
    patch: AdminUserPatch,
) -> User:
    """Apply ``patch``; the change, the refresh-token revocation and the audit row commit together
    (access tokens are revoked in Redis just before).

    409 when an admin would block themselves or drop their own admin role (nobody could undo
    it if they were the last admin). A no-op patch changes nothing and writes no audit row.
    """
    user = await admin_repo.get_user_for_update(session, user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise NotFound("No such user.")
    if user_id == audit.actor_id:
        if patch.status == UserStatus.BLOCKED:
            raise _self_lockout("An admin cannot block their own account.")
        if patch.roles is not None and "admin" not in patch.roles:
            raise _self_lockout("An admin cannot remove their own admin role.")

    changes: dict[str, Any] = {}
    if patch.status is not None and patch.status != user.status:
        changes["status"] = {"from": user.status, "to": patch.status}
    current_roles = sorted(user.roles)
    if patch.roles is not None and sorted(patch.roles) != current_roles:
        changes["roles"] = {"from": list(user.roles), "to": list(patch.roles)}
    if not changes:
        return user

    now = datetime.now(UTC)
    await admin_repo.update_user(
        session,
        user_id=user_id,
        status=patch.status if "status" in changes else None,
        roles=list(patch.roles) if "roles" in changes and patch.roles is not None else None,
    )
    blocked = changes.get("status", {}).get("to") == UserStatus.BLOCKED
    if blocked:
        changes["revokedRefreshTokens"] = await token_repo.revoke_all_for_user(
            session, user_id=user_id, at=now
        )
    if blocked or "roles" in changes:
        # Access tokens carry roles and live 15 min: end them now. After a role change the
        # client's next refresh gets a token with the new roles.
        await revoker.revoke_user(user_id)
    await audit.record(
        session, action=ACTION_USER_UPDATE, target=f"user:{user_id}", details=changes
    )
    await session.commit()
    await session.refresh(user)
    log.info(
        "admin updated user",
        extra={"target_user_id": str(user_id), "changes": sorted(changes)},
    )
    return user


def _self_lockout(detail: str) -> Conflict:
    return Conflict(detail, type_slug="admin-self-lockout")


async def search_audit(
    *, session: AsyncSession, filters: admin_repo.AuditFilter, page: PageParams
) -> tuple[list[AdminAudit], int]:
    if not admin_repo.storable(filters.action, filters.target):
        return [], 0
    return await admin_repo.search_audit(
        session, filters=filters, offset=page.offset, limit=page.limit
    )
