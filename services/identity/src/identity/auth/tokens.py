"""Minting tokens: EdDSA access JWTs and opaque refresh tokens (only their hash is stored)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt

from identity.keys import ALGORITHM, KeyRing


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    jti: str
    expires_at: datetime


def mint_access_token(
    *,
    keyring: KeyRing,
    user_id: uuid.UUID,
    roles: list[str],
    session_id: uuid.UUID,
    issuer: str,
    audience: str,
    now: datetime,
    ttl: timedelta,
    not_before: int | None = None,
) -> AccessToken:
    """Claims per DESIGN §4 plus ``sid`` = refresh-token family, so logout can revoke it.

    ``not_before``: the user's token-revocation mark (``fitness_platform.auth``); ``iat`` is
    raised to it, so a token minted in the second of a revocation is not refused with the old ones.
    """
    jti = uuid.uuid4().hex
    iat = max(int(now.timestamp()), not_before or 0)
    exp = iat + int(ttl.total_seconds())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": str(user_id),
        "roles": list(roles),
        "sid": str(session_id),
        "jti": jti,
        "iat": iat,
        "exp": exp,
    }
    key = keyring.signing_key
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}
    token = jwt.encode(header, claims, key, algorithms=[ALGORITHM])
    return AccessToken(token=token, jti=jti, expires_at=now + ttl)


def new_refresh_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """SHA-256 hex: a refresh token has 256 bits of entropy, so a fast hash is enough at rest."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Email verification and password-reset tokens are the same kind of secret: 256 random bits,
# only the SHA-256 kept.
new_one_time_token = new_refresh_token
hash_one_time_token = hash_refresh_token
