"""Ending every access token of a user at once: blocking, deletion, role change, password reset.

Access tokens are stateless and live ``IDENTITY_ACCESS_TOKEN_TTL_S``; refresh tokens are rows
identity revokes itself. This puts the user's revocation mark in Redis, which the gateway and
every service check with the denylist (``fitness_platform.auth.revoke_user_tokens``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from redis.asyncio import Redis

from fitness_platform.auth import revoke_user_tokens
from identity.auth.dependencies import RedisDep, SettingsDep

# Verifiers accept ``exp`` with 30 s of leeway; keep the mark a little longer than that.
_MARGIN_S = 60


@dataclass(frozen=True, slots=True)
class AccessRevoker:
    redis: Redis
    access_token_ttl_s: int

    async def revoke_user(self, user_id: uuid.UUID) -> None:
        """Call before committing the change: if Redis fails, the request fails and nothing
        changed, rather than a blocked user keeping working tokens."""
        await revoke_user_tokens(self.redis, user_id, ttl_s=self.access_token_ttl_s + _MARGIN_S)


async def get_revoker(redis: RedisDep, settings: SettingsDep) -> AccessRevoker:
    return AccessRevoker(redis, settings.access_token_ttl_s)


RevokerDep = Annotated[AccessRevoker, Depends(get_revoker)]
