"""Ed25519 signing keys: loaded from settings, or generated once per dev machine and reused.

Keys are never committed: in dev/test a key is created under ``IDENTITY_KEYS_DIR`` with mode 600
(written to a temp file, then hard-linked into place so two processes starting together agree
on one key). Outside dev/test the keys must come from ``IDENTITY_SIGNING_KEYS``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from identity.settings import IdentitySettings

ALGORITHM = "EdDSA"
CURVE: Literal["Ed25519"] = "Ed25519"
_KEY_FILE_GLOB = "ed25519-*.pem"
_FIRST_KEY_FILE = "ed25519-0001.pem"

# joserfc flags "EdDSA" as superseded by the fully-specified "Ed25519" alg (RFC 9864); the fleet
# (gateway, platform verifier, mobile clients' libraries) speaks "EdDSA", so we keep it for now.
warnings.filterwarnings("ignore", message=".*EdDSA is deprecated.*", category=SecurityWarning)


@dataclass(frozen=True)
class KeyRing:
    """``signing_key`` signs new tokens; every key in ``keys`` is published and accepted."""

    keys: tuple[OKPKey, ...]

    @property
    def signing_key(self) -> OKPKey:
        return self.keys[0]

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [_public_jwk(key) for key in self.keys]}


def _public_jwk(key: OKPKey) -> dict[str, Any]:
    jwk: dict[str, Any] = dict(key.as_dict(private=False))
    jwk.update({"kid": key.kid, "alg": ALGORITHM, "use": "sig"})
    return jwk


def _with_kid(key: OKPKey) -> OKPKey:
    """Give a key its RFC 7638 thumbprint as ``kid`` unless it already has one."""
    if key.kid:
        return key
    data = dict(key.as_dict(private=True))
    data["kid"] = key.thumbprint()
    return OKPKey.import_key(data)


def parse_key(text: str) -> OKPKey:
    """A private Ed25519 key from PEM or JWK JSON."""
    stripped = text.strip()
    key = OKPKey.import_key(json.loads(stripped) if stripped.startswith("{") else stripped)
    if key.as_dict(private=False).get("crv") != CURVE or not key.is_private:
        raise ValueError("signing keys must be private Ed25519 keys")
    return _with_kid(key)


def generate_key() -> OKPKey:
    return _with_kid(OKPKey.generate_key(CURVE, auto_kid=False))


def load_or_create_dir_keys(directory: Path) -> list[OKPKey]:
    """Keys stored in ``directory``, newest file name first; creates the first one if none."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not any(directory.glob(_KEY_FILE_GLOB)):
        _write_new_key(directory / _FIRST_KEY_FILE)
    paths = sorted(directory.glob(_KEY_FILE_GLOB), reverse=True)
    return [parse_key(path.read_text()) for path in paths]


def _write_new_key(target: Path) -> None:
    pem = generate_key().as_pem(private=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-key-")  # mode 600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        # Another process may win the race: then we use its key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp_name, target)
    finally:
        os.unlink(tmp_name)


def load_keyring(settings: IdentitySettings) -> KeyRing:
    if settings.signing_keys:
        keys = [parse_key(text) for text in settings.signing_keys]
    elif settings.is_local:
        keys = load_or_create_dir_keys(settings.resolved_keys_dir())
    else:  # settings validation already refuses this; keep the guard for direct callers
        raise RuntimeError("no signing keys configured")
    return KeyRing(keys=tuple(keys))
