"""The verified-token cache in front of the platform's real TokenVerifier (static JWKS)."""

from __future__ import annotations

import time
import uuid
import warnings
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from fitness_platform.auth import JWKSCache, TokenVerifier
from gateway.auth import Authenticator, AuthError
from gateway.routes import RouteTable
from gateway.settings import DEFAULT_PUBLIC_ROUTES, DEFAULT_ROUTES

KEY = OKPKey.generate_key("Ed25519", parameters={"kid": "k"})
TABLE = RouteTable(DEFAULT_ROUTES, DEFAULT_PUBLIC_ROUTES, "/admin")


def _token(exp: int, roles: list[str] | None = None) -> str:
    claims = {
        "iss": "fitness-identity",
        "aud": "fitness-api",
        "sub": str(uuid.uuid4()),
        "roles": roles or ["user"],
        "jti": uuid.uuid4().hex,
        "iat": exp - 900,
        "exp": exp,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode({"alg": "EdDSA", "kid": "k"}, claims, KEY, algorithms=["EdDSA"])


class CountingVerifier(TokenVerifier):
    calls = 0

    async def verify(self, token: str) -> Any:
        self.calls += 1
        return await super().verify(token)


def _verifier() -> CountingVerifier:
    jwks = {"keys": [dict(KEY.as_dict(private=False))]}
    return CountingVerifier(JWKSCache(jwks=jwks), issuer="fitness-identity", audience="fitness-api")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_repeated_token_is_verified_once_within_ttl() -> None:
    verifier, clock = _verifier(), Clock()
    auth = Authenticator(verifier, TABLE, cache_ttl_s=60, clock=clock)
    token = _token(int(clock.now) + 900).encode()
    first = await auth.authenticate("GET", "/workouts", b"Bearer " + token)
    second = await auth.authenticate("GET", "/goals", b"Bearer " + token)
    assert first == second
    assert verifier.calls == 1
    clock.now += 61  # past the cache TTL: verified again
    await auth.authenticate("GET", "/workouts", b"Bearer " + token)
    assert verifier.calls == 2


async def test_cached_token_still_expires_at_exp() -> None:
    verifier, clock = _verifier(), Clock()
    auth = Authenticator(verifier, TABLE, cache_ttl_s=300, clock=clock)
    exp = int(clock.now) + 5
    token = b"Bearer " + _token(exp).encode()
    await auth.authenticate("GET", "/workouts", token)
    clock.now = exp + 1  # cache entry is dead; the real verifier decides (30 s leeway)
    await auth.authenticate("GET", "/workouts", token)
    assert verifier.calls == 2


async def test_admin_check_applies_to_cached_tokens() -> None:
    auth = Authenticator(_verifier(), TABLE, clock=Clock())
    token = b"Bearer " + _token(int(time.time()) + 900).encode()
    await auth.authenticate("GET", "/workouts", token)
    with pytest.raises(AuthError) as err:
        await auth.authenticate("GET", "/admin/users", token)
    assert err.value.status == 403


async def test_cache_is_bounded() -> None:
    verifier = _verifier()
    auth = Authenticator(verifier, TABLE, cache_size=2, clock=Clock())
    tokens = [b"Bearer " + _token(int(time.time()) + 900).encode() for _ in range(3)]
    for t in tokens:
        await auth.authenticate("GET", "/workouts", t)
    await auth.authenticate("GET", "/workouts", tokens[0])  # evicted: verified again
    assert verifier.calls == 4


async def test_public_route_needs_no_token_and_bad_token_is_401() -> None:
    auth = Authenticator(_verifier(), TABLE)
    assert await auth.authenticate("POST", "/auth/login", None) is None
    with pytest.raises(AuthError) as err:
        await auth.authenticate("GET", "/workouts", b"Bearer nope")
    assert err.value.status == 401
