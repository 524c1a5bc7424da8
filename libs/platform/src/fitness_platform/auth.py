"""JWT verification against identity's JWKS (DESIGN §4): defence in depth behind the gateway."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol
from uuid import UUID

import httpx
import orjson
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet

from fitness_platform.logging import user_id_var
from fitness_platform.problems import Forbidden, ServiceUnavailable, Unauthorized
from fitness_platform.redis import hot_pipe

# joserfc's SecurityWarnings (e.g. RFC 9864 renaming EdDSA to Ed25519; identity may sign with
# either name, both are Ed25519 here) are ignored process-wide, once: a catch_warnings() per
# verification changed the global filters on every request and races with other threads.
warnings.filterwarnings("ignore", category=SecurityWarning)

ALLOWED_ALGORITHMS = ("EdDSA", "Ed25519", "RS256")
# Only asymmetric public keys are ever used; an "oct" key in a JWKS would enable HS* confusion.
_ALLOWED_KTY = frozenset({"OKP", "RSA"})
DENYLIST_KEY = "auth:deny:{jti}"
# Unix time before which every access token of the user is refused (``revoke_user_tokens``).
USER_REVOKED_KEY = "auth:user-revoked:{user_id}"

log = logging.getLogger("fitness_platform.auth")


@dataclass(frozen=True, slots=True)
class Claims:
    sub: UUID
    roles: list[str]
    jti: str
    exp: int
    # Refresh-token family id identity puts in access tokens (revoke a whole session by it).
    sid: str | None = None
    # Issued-at: compared with the user's revocation time (``USER_REVOKED_KEY``).
    iat: int = 0


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: UUID
    roles: tuple[str, ...] = field(default_factory=tuple)
    jti: str = ""
    exp: int = 0
    sid: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


def _parse_jwks(data: Mapping[str, Any] | str | bytes) -> KeySet:
    raw: Any = orjson.loads(data) if isinstance(data, str | bytes) else data
    keys = [k for k in raw.get("keys", []) if isinstance(k, dict) and k.get("kty") in _ALLOWED_KTY]
    return KeySet.import_key_set({"keys": keys})


class JWKSCache:
    """Keys from a static JWKS or a URL, cached for ``ttl`` seconds.

    An unknown ``kid`` triggers a refresh (key rotation) at most once per
    ``min_refresh_interval`` so a flood of forged kids cannot hammer identity.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        jwks: Mapping[str, Any] | str | None = None,
        ttl: float = 300.0,
        min_refresh_interval: float = 10.0,
        timeout: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if url is None and jwks is None:
            raise ValueError("JWKSCache needs a url or a static jwks")
        self.url = url
        self.ttl = ttl
        self.min_refresh_interval = min_refresh_interval
        self.timeout = timeout
        self._transport = transport
        self._static = jwks is not None
        self._keys: KeySet | None = _parse_jwks(jwks) if jwks is not None else None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    def _kids(self) -> set[str]:
        if self._keys is None:
            return set()
        return {k.kid for k in self._keys.keys if k.kid}

    async def _fetch(self) -> None:
        assert self.url is not None
        async with httpx.AsyncClient(timeout=self.timeout, transport=self._transport) as client:
            resp = await client.get(self.url)
            resp.raise_for_status()
            self._keys = _parse_jwks(resp.content)
        self._fetched_at = time.monotonic()

    async def key_set(self, kid: str | None = None) -> KeySet:
        if self._static:
            assert self._keys is not None
            return self._keys
        now = time.monotonic()
        stale = now - self._fetched_at > self.ttl
        unknown = kid is not None and kid not in self._kids()
        may_refresh = now - self._fetched_at > self.min_refresh_interval
        if self._keys is None or stale or (unknown and may_refresh):
            async with self._lock:
                # Another request may have refreshed while we waited.
                if self._keys is None or time.monotonic() - self._fetched_at > min(
                    self.ttl, self.min_refresh_interval
                ):
                    try:
                        await self._fetch()
                    except (httpx.HTTPError, ValueError, JoseError) as exc:
                        log.warning("JWKS refresh failed", extra={"error": repr(exc)})
                        if self._keys is None:
                            raise ServiceUnavailable("Signing keys are unavailable.") from exc
                        # Keep serving the keys we have; retry after min_refresh_interval.
                        self._fetched_at = time.monotonic() - self.ttl + self.min_refresh_interval
        assert self._keys is not None
        return self._keys


def _unauthorized(detail: str) -> Unauthorized:
    return Unauthorized(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class TokenVerifier:
    def __init__(self, jwks: JWKSCache, *, issuer: str, audience: str, leeway: int = 30) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.registry = jwt.JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
        )

    async def verify(self, token: str) -> Claims:
        header = _unverified_header(token)
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise _unauthorized("Token algorithm is not accepted.")
        kid = header.get("kid")
        keys = await self.jwks.key_set(kid if isinstance(kid, str) else None)
        try:
            decoded = jwt.decode(token, keys, algorithms=list(ALLOWED_ALGORITHMS))
            self.registry.validate(decoded.claims)
        except JoseError as exc:
            raise _unauthorized(_describe(exc)) from exc
        claims = decoded.claims
        try:
            roles = claims.get("roles", [])
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                raise ValueError("roles")
            sid = claims.get("sid")
            if sid is not None and not isinstance(sid, str):
                raise ValueError("sid")
            return Claims(
                sub=UUID(str(claims["sub"])),
                roles=list(roles),
                jti=str(claims["jti"]),
                exp=int(claims["exp"]),
                sid=sid,
                iat=int(claims["iat"]),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise _unauthorized("Token claims are malformed.") from exc


def _unverified_header(token: str) -> dict[str, Any]:
    import base64

    try:
        head = token.split(".", 1)[0]
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        header = orjson.loads(raw)
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise _unauthorized("Token is malformed.") from exc
    if not isinstance(header, dict):
        raise _unauthorized("Token is malformed.")
    return header


def _describe(exc: JoseError) -> str:
    name = type(exc).__name__
    if name == "ExpiredTokenError":
        return "Token has expired."
    if name == "InvalidKeyIdError":
        return "Token was signed with an unknown key."
    if name in ("InvalidClaimError", "MissingClaimError"):
        return "Token claims are not valid for this API."
    return "Token is invalid."


class Verifier(Protocol):
    async def verify(self, token: str) -> Claims: ...


class CachedTokenVerifier:
    """Verified tokens remembered briefly, in front of a ``TokenVerifier``.

    A mobile client sends the same access token for its whole 15-minute life and the Ed25519
    check plus claim validation was ~12 % of a cheap request's CPU (py-spy, identity
    ``GET /users/me``). The key is the whole token (signature included), expiry is re-checked
    on every use, and an entry lives at most ``ttl_s`` (so a key withdrawn from the JWKS stops
    working within that time). Only successes are cached. Revocation is unaffected: callers
    check the denylist per request.
    """

    def __init__(
        self,
        verifier: Verifier,
        *,
        ttl_s: float = 60.0,
        size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._verifier = verifier
        self._ttl_s = ttl_s
        self._size = size
        self._clock = clock
        self._cache: dict[str, tuple[float, Claims]] = {}

    async def verify(self, token: str) -> Claims:
        now = self._clock()
        hit = self._cache.get(token)
        if hit is not None:
            until, claims = hit
            if now < until:
                return claims
            del self._cache[token]
        claims = await self._verifier.verify(token)
        if self._ttl_s > 0:
            if len(self._cache) >= self._size:
                # Dicts keep insertion order: drop the oldest entry.
                self._cache.pop(next(iter(self._cache)))
            self._cache[token] = (min(now + self._ttl_s, claims.exp), claims)
        return claims


def verifier_from_settings(settings: Any) -> TokenVerifier:
    if settings.jwks_json:
        cache = JWKSCache(jwks=settings.jwks_json)
    elif settings.jwks_url:
        cache = JWKSCache(settings.jwks_url, ttl=settings.jwks_cache_ttl_s)
    else:
        raise RuntimeError("neither jwks_json nor jwks_url is configured")
    return TokenVerifier(cache, issuer=settings.jwt_issuer, audience=settings.jwt_audience)


def get_token_verifier(request: Request) -> Verifier:
    """``app.state.token_verifier``, built from ``app.state.settings`` on first use (cached)."""
    state = request.app.state
    verifier: Verifier | None = getattr(state, "token_verifier", None)
    if verifier is None:
        settings = state.settings
        verifier = CachedTokenVerifier(
            verifier_from_settings(settings), ttl_s=settings.token_cache_s
        )
        state.token_verifier = verifier
    return verifier


async def is_revoked(redis: Any, claims: Claims) -> bool:
    """Denylisted jti (logout), or issued before the user's tokens were revoked; one round trip
    (on the client's multiplexed pipe when it has one: a fraction of a pooled call's CPU)."""
    keys = (DENYLIST_KEY.format(jti=claims.jti), USER_REVOKED_KEY.format(user_id=claims.sub))
    pipe = hot_pipe(redis)
    if pipe is not None:
        denied, revoked_since = await pipe.execute("MGET", *keys)
    else:
        denied, revoked_since = await redis.mget(*keys)
    return denied is not None or (revoked_since is not None and claims.iat < int(revoked_since))


async def user_revoked_since(redis: Any, user_id: UUID) -> int | None:
    """The user's revocation mark: identity mints new tokens with ``iat`` at or after it."""
    value = await redis.get(USER_REVOKED_KEY.format(user_id=user_id))
    return int(value) if value is not None else None


async def revoke_user_tokens(redis: Any, user_id: UUID, *, ttl_s: int) -> None:
    """Refuse every access token of the user issued so far, in the gateway and every service.

    For blocking, deletion, role changes and password resets: access tokens are stateless and
    live up to their TTL, so without this a blocked user's token would work for minutes more.
    ``iat`` has whole seconds, so the mark is the next second (every token issued so far is
    older) and identity mints later tokens with ``iat`` at least the mark (``user_revoked_since``;
    at most a second ahead, inside every verifier's leeway).
    ``ttl_s`` = the access-token lifetime plus leeway, after which no such token is valid anyway.
    """
    revoked_since = int(time.time()) + 1
    await redis.set(USER_REVOKED_KEY.format(user_id=user_id), revoked_since, ex=ttl_s)


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/login")


async def get_current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> CurrentUser:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            "A bearer access token is required.", headers={"WWW-Authenticate": "Bearer"}
        )
    claims = await get_token_verifier(request).verify(credentials.credentials)
    redis = getattr(request.app.state, "redis", None)
    if redis is not None:
        try:
            denied = await is_revoked(redis, claims)
        except Exception as exc:  # fail closed: a revoked token must not pass while Redis is down
            log.warning("denylist check failed", extra={"error": repr(exc)})
            raise ServiceUnavailable("Token revocation status is unavailable.") from exc
        if denied:
            raise _unauthorized("Token has been revoked.")
    user_id_var.set(str(claims.sub))
    return CurrentUser(
        id=claims.sub, roles=tuple(claims.roles), jti=claims.jti, exp=claims.exp, sid=claims.sid
    )


CurrentUserDep = Annotated[CurrentUser, Depends(get_current_user)]


def require_role(role: str) -> Callable[[CurrentUser], Awaitable[CurrentUser]]:
    async def dependency(user: CurrentUserDep) -> CurrentUser:
        if role not in user.roles:
            raise Forbidden(f"Role {role!r} is required.")
        return user

    return dependency


AdminDep = Annotated[CurrentUser, Depends(require_role("admin"))]
