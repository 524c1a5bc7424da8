"""Token verification: only well-formed, unexpired, asymmetric tokens for this API pass."""

from __future__ import annotations

import base64
import time
import uuid

import httpx
import orjson
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from fitness_platform.auth import CachedTokenVerifier, Claims, JWKSCache, TokenVerifier
from fitness_platform.problems import ProblemError, Unauthorized
from fitness_platform.testing import TokenFactory

ISS, AUD = "fitness-identity", "fitness-api"


@pytest.fixture(scope="module")
def tokens() -> TokenFactory:
    return TokenFactory(kid="k1")


@pytest.fixture(scope="module")
def verifier(tokens: TokenFactory) -> TokenVerifier:
    return TokenVerifier(JWKSCache(jwks=tokens.jwks), issuer=ISS, audience=AUD)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()


def _claims(**over: object) -> dict:
    now = int(time.time())
    base = {
        "sub": str(uuid.uuid4()),
        "roles": ["user"],
        "jti": "j1",
        "iat": now,
        "exp": now + 600,
        "iss": ISS,
        "aud": AUD,
    }
    base.update(over)
    return base


async def _rejected(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthorized) as info:
        await verifier.verify(token)
    assert info.value.status == 401
    return info.value.detail or ""


async def test_good_token(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    sub = uuid.uuid4()
    claims = await verifier.verify(tokens.issue(sub, roles=["user", "admin"]))
    assert claims.sub == sub
    assert claims.roles == ["user", "admin"]
    assert claims.exp > time.time()
    assert claims.jti


async def test_expired(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    detail = await _rejected(verifier, tokens.issue(ttl=-120))
    assert "expired" in detail


async def test_wrong_audience(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    await _rejected(verifier, tokens.issue(aud="another-api"))


async def test_wrong_issuer(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    await _rejected(verifier, tokens.issue(iss="evil-identity"))


async def test_missing_jti(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    # jti is what the denylist keys on: a token without one cannot be revoked.
    token = jwt.encode(
        {"alg": "Ed25519", "kid": "k1"},
        {k: v for k, v in _claims().items() if k != "jti"},
        tokens.key,
        algorithms=["Ed25519"],
    )
    await _rejected(verifier, token)


async def test_sub_must_be_uuid(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    await _rejected(verifier, tokens.issue("not-a-uuid"))


async def test_alg_none(verifier: TokenVerifier) -> None:
    token = f"{_b64({'alg': 'none', 'kid': 'k1'})}.{_b64(_claims())}."
    detail = await _rejected(verifier, token)
    assert "algorithm" in detail


async def test_hs256_signed_with_public_key(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    # Classic key confusion: the attacker uses the public JWKS as an HMAC secret.
    secret = OctKey.import_key(orjson.dumps(tokens.jwks["keys"][0]))
    token = jwt.encode({"alg": "HS256", "kid": "k1"}, _claims(), secret)
    assert "algorithm" in await _rejected(verifier, token)


async def test_tampered_payload(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    head, _, sig = tokens.issue(roles=["user"]).split(".")
    forged = f"{head}.{_b64(_claims(roles=['admin']))}.{sig}"
    await _rejected(verifier, forged)


async def test_unknown_kid_static_jwks(verifier: TokenVerifier) -> None:
    other = TokenFactory(kid="k-unknown")
    detail = await _rejected(verifier, other.issue())
    assert "unknown key" in detail


async def test_rs256_accepted() -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "r1"})
    jwks = {"keys": [key.as_dict(private=False)]}
    v = TokenVerifier(JWKSCache(jwks=jwks), issuer=ISS, audience=AUD)
    token = jwt.encode({"alg": "RS256", "kid": "r1"}, _claims(), key)
    assert (await v.verify(token)).roles == ["user"]


async def test_oct_keys_in_jwks_are_ignored(tokens: TokenFactory) -> None:
    # Even if a JWKS carried a symmetric key, no HS* token can verify against it.
    secret = OctKey.generate_key(256, parameters={"kid": "hs"})
    v = TokenVerifier(
        JWKSCache(jwks={"keys": [*tokens.jwks["keys"], secret.as_dict()]}),
        issuer=ISS,
        audience=AUD,
    )
    token = jwt.encode({"alg": "HS256", "kid": "hs"}, _claims(), secret)
    await _rejected(v, token)


# ---- JWKS URL: identity is not running in unit tests, so its endpoint is an httpx MockTransport.


class FakeJWKSEndpoint:
    def __init__(self, jwks: dict) -> None:
        self.jwks = jwks
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(200, json=self.jwks)


async def test_jwks_url_refreshes_on_unknown_kid_rate_limited() -> None:
    old, new = TokenFactory(kid="old"), TokenFactory(kid="new")
    endpoint = FakeJWKSEndpoint(old.jwks)
    cache = JWKSCache(
        "http://identity/.well-known/jwks.json",
        ttl=300,
        min_refresh_interval=0.0,
        transport=httpx.MockTransport(endpoint),
    )
    v = TokenVerifier(cache, issuer=ISS, audience=AUD)
    await v.verify(old.issue())
    await v.verify(old.issue())
    assert endpoint.calls == 1  # cached

    endpoint.jwks = {"keys": [*old.jwks["keys"], *new.jwks["keys"]]}  # rotation
    await v.verify(new.issue())
    assert endpoint.calls == 2

    # A flood of forged kids cannot make us hammer identity.
    cache.min_refresh_interval = 60.0
    forged = TokenFactory(kid="forged")
    for _ in range(5):
        await _rejected(v, forged.issue())
    assert endpoint.calls == 2


async def test_jwks_unreachable_is_503() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    cache = JWKSCache("http://identity/jwks", transport=httpx.MockTransport(down))
    v = TokenVerifier(cache, issuer=ISS, audience=AUD)
    with pytest.raises(ProblemError) as info:
        await v.verify(TokenFactory().issue())
    assert info.value.status == 503


class _Counting:
    """The real verifier, counting how often it is asked."""

    def __init__(self, inner: TokenVerifier) -> None:
        self.inner, self.calls = inner, 0

    async def verify(self, token: str) -> Claims:
        self.calls += 1
        return await self.inner.verify(token)


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_cached_verifier_verifies_a_token_once_per_ttl(
    verifier: TokenVerifier, tokens: TokenFactory
) -> None:
    inner, clock = _Counting(verifier), _Clock()
    cached = CachedTokenVerifier(inner, ttl_s=60, clock=clock)
    token = tokens.issue()
    assert await cached.verify(token) == await cached.verify(token)
    assert inner.calls == 1
    clock.now += 61
    await cached.verify(token)
    assert inner.calls == 2


async def test_cached_verifier_never_outlives_exp_and_never_caches_refusals(
    verifier: TokenVerifier, tokens: TokenFactory
) -> None:
    inner, clock = _Counting(verifier), _Clock()
    cached = CachedTokenVerifier(inner, ttl_s=300, clock=clock)
    token = tokens.issue(ttl=5)
    await cached.verify(token)
    clock.now += 6  # past exp: the entry is dead, the real verifier decides again
    await cached.verify(token)
    assert inner.calls == 2

    bad = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            await cached.verify(bad)
    assert inner.calls == 4


async def test_cached_verifier_is_bounded(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    inner = _Counting(verifier)
    cached = CachedTokenVerifier(inner, size=2)
    first, *others = [tokens.issue() for _ in range(3)]
    for token in (first, *others):
        await cached.verify(token)
    await cached.verify(first)  # the oldest entry was dropped: verified again
    assert inner.calls == 4
