"""Who is calling: bearer token → verified claims (platform ``TokenVerifier``) → principal."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fitness_platform.auth import (
    DENYLIST_KEY,
    USER_REVOKED_KEY,
    CachedTokenVerifier,
    Verifier,
)
from fitness_platform.problems import ProblemError
from gateway.routes import RouteTable

ADMIN_ROLE = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    roles: tuple[str, ...]
    jti: str
    issued_at: int = 0

    @property
    def denylist_key(self) -> str:
        return DENYLIST_KEY.format(jti=self.jti)

    @property
    def user_revoked_key(self) -> str:
        return USER_REVOKED_KEY.format(user_id=self.user_id)


class AuthError(Exception):
    """A refusal the proxy renders as problem+json (401/403/503)."""

    def __init__(self, status: int, detail: str, reason: str, headers: dict[str, str]) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reason = reason  # metric label
        self.headers = headers


_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def bearer_token(authorization: bytes | None) -> str | None:
    """RFC 6750 §2.1: ``Authorization: Bearer <token>``, scheme case-insensitive."""
    if not authorization:
        return None
    scheme, _, token = authorization.decode("latin-1").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


class Authenticator:
    """Route policy over the platform's verified-token cache (``CachedTokenVerifier``)."""

    def __init__(
        self,
        verifier: Verifier,
        table: RouteTable,
        *,
        cache_ttl_s: float = 60.0,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._verifier = CachedTokenVerifier(
            verifier, ttl_s=cache_ttl_s, size=cache_size, clock=clock
        )
        self._table = table

    async def authenticate(
        self, method: str, path: str, authorization: bytes | None
    ) -> Principal | None:
        """``None`` for a public route; a principal allowed on ``path``; else ``AuthError``.

        The denylist is checked later, in the same Redis round trip as the rate limit.
        """
        if self._table.is_public(method, path):
            return None
        token = bearer_token(authorization)
        if token is None:
            raise AuthError(401, "A bearer access token is required.", "missing", _CHALLENGE)
        try:
            claims = await self._verifier.verify(token)
        except ProblemError as exc:
            reason = "invalid" if exc.status == 401 else "jwks_unavailable"
            raise AuthError(exc.status, exc.detail or exc.title, reason, exc.headers) from exc
        principal = Principal(str(claims.sub), tuple(claims.roles), claims.jti, claims.iat)
        if self._table.needs_admin(path) and ADMIN_ROLE not in principal.roles:
            raise AuthError(403, f"Role {ADMIN_ROLE!r} is required.", "forbidden", {})
        return principal
