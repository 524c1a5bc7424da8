"""Dependencies of the auth routes: app-wide singletons and the verified current session.

Tokens are verified by ``fitness_platform.auth`` like in every service; identity feeds that
verifier its own public keys (``main.create_app``), so it needs no JWKS round trip to itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from fitness_platform.auth import CurrentUserDep
from identity.keys import KeyRing
from identity.passwords import PasswordHashing
from identity.settings import IdentitySettings


async def get_keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


async def get_passwords(request: Request) -> PasswordHashing:
    passwords: PasswordHashing = request.app.state.passwords
    return passwords


async def get_identity_settings(request: Request) -> IdentitySettings:
    settings: IdentitySettings = request.app.state.settings
    return settings


async def get_redis(request: Request) -> Redis:
    redis: Redis | None = request.app.state.redis
    if redis is None:
        raise RuntimeError("identity needs Redis (IDENTITY_REDIS_URL) for the token denylist")
    return redis


KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]
PasswordsDep = Annotated[PasswordHashing, Depends(get_passwords)]
SettingsDep = Annotated[IdentitySettings, Depends(get_identity_settings)]
RedisDep = Annotated[Redis, Depends(get_redis)]


@dataclass(frozen=True, slots=True)
class CurrentSession:
    """The verified access token of this request, with its session (refresh family) id."""

    user_id: uuid.UUID
    roles: tuple[str, ...]
    jti: str
    exp: int
    session_id: uuid.UUID | None


async def current_session(user: CurrentUserDep) -> CurrentSession:
    # The platform dependency verified signature, exp/iss/aud and the denylist (or raised 401);
    # it also read ``sid`` (a malformed one is a 401 there).
    try:
        session_id = uuid.UUID(user.sid) if user.sid is not None else None
    except ValueError:
        session_id = None
    return CurrentSession(
        user_id=user.id, roles=user.roles, jti=user.jti, exp=user.exp, session_id=session_id
    )


CurrentSessionDep = Annotated[CurrentSession, Depends(current_session)]
