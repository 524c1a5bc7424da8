"""Dependencies of the auth routes: app-wide singletons and the verified current session.

Identity verifies its own access tokens with its key ring (it is the issuer, so it needs no
JWKS round trip to itself) and checks the same Redis denylist as every other service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from redis.asyncio import Redis

from fitness_platform.auth import DENYLIST_KEY
from fitness_platform.problems import Unauthorized
from identity.keys import ALGORITHM, KeyRing
from identity.passwords import PasswordHashing
from identity.settings import IdentitySettings

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/login")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def get_keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


def get_passwords(request: Request) -> PasswordHashing:
    passwords: PasswordHashing = request.app.state.passwords
    return passwords


def get_identity_settings(request: Request) -> IdentitySettings:
    settings: IdentitySettings = request.app.state.settings
    return settings


def get_redis(request: Request) -> Redis:
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
    """The verified access token of this request."""

    user_id: uuid.UUID
    roles: list[str]
    jti: str
    exp: int
    session_id: uuid.UUID | None


def decode_access_token(
    token: str, *, keyring: KeyRing, issuer: str, audience: str
) -> dict[str, Any]:
    """Verify signature (EdDSA only, known kid), ``exp``/``iss``/``aud``; raise ValueError."""
    try:
        decoded = jwt.decode(token, KeySet(list(keyring.keys)), algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from exc
    return dict(decoded.claims)


async def current_session(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    keyring: KeyRingDep,
    settings: SettingsDep,
    redis: RedisDep,
) -> CurrentSession:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("A bearer access token is required.", headers=_CHALLENGE)
    try:
        claims = decode_access_token(
            credentials.credentials,
            keyring=keyring,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
        user_id = uuid.UUID(str(claims["sub"]))
        sid = claims.get("sid")
        session_id = uuid.UUID(str(sid)) if sid is not None else None
        jti = str(claims["jti"])
        exp = int(claims["exp"])
        roles = [str(role) for role in claims.get("roles", [])]
    except (ValueError, KeyError, TypeError):
        raise Unauthorized("The access token is invalid or expired.", headers=_CHALLENGE) from None
    if await redis.exists(DENYLIST_KEY.format(jti=jti)):
        raise Unauthorized("The access token has been revoked.", headers=_CHALLENGE)
    return CurrentSession(user_id=user_id, roles=roles, jti=jti, exp=exp, session_id=session_id)


CurrentSessionDep = Annotated[CurrentSession, Depends(current_session)]
