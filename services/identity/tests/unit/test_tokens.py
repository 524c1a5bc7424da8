import uuid
from datetime import UTC, datetime, timedelta

from authlib.jose import JsonWebKey, jwt

from identity.auth.tokens import hash_refresh_token, mint_access_token, new_refresh_token
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


def test_each_token_gets_a_fresh_jti() -> None:
    ring = KeyRing((generate_key(),))
    kwargs = dict(
        keyring=ring,
        user_id=uuid.uuid4(),
        roles=["user"],
        session_id=uuid.uuid4(),
        issuer="i",
        audience="a",
        now=datetime.now(UTC),
        ttl=timedelta(minutes=15),
    )
    assert mint_access_token(**kwargs).jti != mint_access_token(**kwargs).jti  # type: ignore[arg-type]


def test_refresh_tokens_are_256_bit_random_and_hashed() -> None:
    a, b = new_refresh_token(), new_refresh_token()
    assert a != b
    assert len(a) == 43  # 32 bytes, base64url without padding
    digest = hash_refresh_token(a)
    assert len(digest) == 64
    assert digest == hash_refresh_token(a)
    assert digest != hash_refresh_token(b)
