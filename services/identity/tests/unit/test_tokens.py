import uuid
from datetime import UTC, datetime, timedelta

from authlib.jose import JsonWebKey, jwt

from identity.auth.tokens import (
    AccessToken,
    hash_refresh_token,
    mint_access_token,
    new_refresh_token,
)
from identity.keys import KeyRing, generate_key


def test_access_token_claims_and_header() -> None:
    ring = KeyRing((generate_key(),))
    user_id, sid = uuid.uuid4(), uuid.uuid4()
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    access = mint_access_token(
        keyring=ring,
        user_id=user_id,
        roles=["user", "admin"],
        session_id=sid,
        issuer="fitness-identity",
        audience="fitness-api",
        now=now,
        ttl=timedelta(minutes=15),
    )
    key_set = JsonWebKey.import_key_set(ring.public_jwks())
    claims = jwt.decode(access.token, key_set)
    assert claims.header["alg"] == "EdDSA"
    assert claims.header["kid"] == ring.signing_key.kid
    assert claims["sub"] == str(user_id)
    assert claims["roles"] == ["user", "admin"]
    assert claims["sid"] == str(sid)
    assert claims["iss"] == "fitness-identity"
    assert claims["aud"] == "fitness-api"
    assert claims["iat"] == int(now.timestamp())
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"] == access.jti
    assert access.expires_at == now + timedelta(minutes=15)


def _mint(ring: KeyRing, now: datetime, not_before: int | None = None) -> AccessToken:
    return mint_access_token(
        keyring=ring,
        user_id=uuid.uuid4(),
        roles=["user"],
        session_id=uuid.uuid4(),
        issuer="i",
        audience="a",
        now=now,
        ttl=timedelta(minutes=15),
        not_before=not_before,
    )


def test_each_token_gets_a_fresh_jti() -> None:
    ring = KeyRing((generate_key(),))
    now = datetime.now(UTC)
    assert _mint(ring, now).jti != _mint(ring, now).jti


def test_refresh_tokens_are_256_bit_random_and_hashed() -> None:
    a, b = new_refresh_token(), new_refresh_token()
    assert a != b
    assert len(a) == 43  # 32 bytes, base64url without padding
    digest = hash_refresh_token(a)
    assert len(digest) == 64
    assert digest == hash_refresh_token(a)
    assert digest != hash_refresh_token(b)


def test_iat_is_raised_to_the_users_revocation_mark() -> None:
    ring = KeyRing((generate_key(),))
    now = datetime(2026, 1, 1, 12, 0, 0, 400_000, tzinfo=UTC)
    mark = int(now.timestamp()) + 1  # revoked in this very second: the mark is the next one

    def iat(not_before: int | None) -> int:
        access = _mint(ring, now, not_before)
        claims = jwt.decode(access.token, JsonWebKey.import_key_set(ring.public_jwks()))
        assert claims["exp"] - claims["iat"] == 900
        return int(claims["iat"])

    assert iat(mark) == mark
    assert iat(mark - 10) == int(now.timestamp())  # an old mark changes nothing
    assert iat(None) == int(now.timestamp())
