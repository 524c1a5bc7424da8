import json
import stat
from pathlib import Path

import pytest

from identity.keys import KeyRing, generate_key, load_keyring, load_or_create_dir_keys, parse_key
from identity.settings import IdentitySettings


def test_dev_key_is_generated_once_with_mode_600_and_reused(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    first = load_or_create_dir_keys(keys_dir)
    second = load_or_create_dir_keys(keys_dir)
    files = list(keys_dir.glob("*.pem"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert [k.kid for k in first] == [k.kid for k in second]
    assert first[0].as_dict(private=False)["x"] == second[0].as_dict(private=False)["x"]


def test_newest_dev_key_signs_and_all_are_published(tmp_path: Path) -> None:
    old = load_or_create_dir_keys(tmp_path)[0]
    (tmp_path / "ed25519-0002.pem").write_bytes(generate_key().as_pem(private=True))
    ring = KeyRing(tuple(load_or_create_dir_keys(tmp_path)))
    assert ring.signing_key.kid != old.kid
    assert {k["kid"] for k in ring.public_jwks()["keys"]} == {ring.signing_key.kid, old.kid}


def test_keys_from_settings_pem_and_jwk(tmp_path: Path) -> None:
    a, b = generate_key(), generate_key()
    settings = IdentitySettings(
        environment="test",
        signing_keys=[a.as_pem(private=True).decode(), json.dumps(b.as_dict(private=True))],
        keys_dir=tmp_path,
    )
    ring = load_keyring(settings)
    assert ring.signing_key.kid == a.kid
    assert [k.kid for k in ring.keys] == [a.kid, b.kid]
    assert not list(tmp_path.iterdir())  # nothing generated when keys are configured


def test_public_jwks_holds_no_private_material() -> None:
    ring = KeyRing((generate_key(),))
    (jwk,) = ring.public_jwks()["keys"]
    assert jwk["kty"] == "OKP"
    assert jwk["crv"] == "Ed25519"
    assert jwk["alg"] == "EdDSA"
    assert jwk["kid"]
    assert "d" not in jwk


def test_public_or_foreign_keys_are_refused() -> None:
    key = generate_key()
    with pytest.raises(ValueError, match="private Ed25519"):
        parse_key(key.as_pem(private=False).decode())


def test_prod_without_signing_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="IDENTITY_SIGNING_KEYS"):
        IdentitySettings(
            environment="prod",
            database_url="postgresql+psycopg://identity_svc:pw@db:5432/fitness",
            db_schema="identity",
            redis_url="redis://cache:6379/0",
            jwks_url="http://identity/.well-known/jwks.json",
            kafka_bootstrap_servers="kafka:9092",
        )


def test_prod_needs_no_jwks_url() -> None:
    # Identity verifies with its own keys: no JWKS setting is required.
    settings = IdentitySettings(
        environment="prod",
        database_url="postgresql+psycopg://identity_svc:pw@db:5432/fitness",
        db_schema="identity",
        redis_url="redis://cache:6379/0",
        kafka_bootstrap_servers="kafka:9092",
        signing_keys=[generate_key().as_pem(private=True).decode()],
    )
    assert settings.jwks_url is None
    assert settings.jwks_json is None
