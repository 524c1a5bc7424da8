"""Password policy (NIST SP 800-63B §5.1.1.2): a minimum length and a blocklist, no composition rules.

NIST asks verifiers to require at least 8 characters and to reject values found in lists of
commonly used or compromised passwords; we require 10 (the product's choice) and cap the length so
an attacker cannot make us hash megabytes. Comparison with the blocklist is case-insensitive,
so "Password123" is refused like "password123".
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from importlib import resources

MIN_LENGTH = 10
# Argon2 accepts any length, but hashing cost grows with input; 128 is far above any passphrase.
MAX_LENGTH = 128

_BLOCKLIST_RESOURCE = "common-passwords.txt.gz"


@dataclass(frozen=True, slots=True)
class PolicyViolation:
    """Why a password was refused: a stable ``code`` for clients and a human message."""

    code: str
    message: str


@cache
def common_passwords() -> frozenset[str]:
    """The shipped blocklist (lowercase), loaded once per process."""
    data = resources.files("identity.domain.data").joinpath(_BLOCKLIST_RESOURCE).read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def check_password(password: str, *, email: str | None = None) -> list[PolicyViolation]:
    """Return every rule the password breaks (empty list = acceptable)."""
    violations: list[PolicyViolation] = []
    length = len(password)
    if length < MIN_LENGTH:
        violations.append(
            PolicyViolation("too_short", f"Password must be at least {MIN_LENGTH} characters long.")
        )
    if length > MAX_LENGTH:
        violations.append(
            PolicyViolation("too_long", f"Password must be at most {MAX_LENGTH} characters long.")
        )
    folded = password.strip().lower()
    if folded in common_passwords():
        violations.append(
            PolicyViolation(
                "too_common", "This password is too common; choose a less guessable one."
            )
        )
    if email and folded in {email.strip().lower(), email.split("@", 1)[0].strip().lower()}:
        violations.append(
            PolicyViolation("same_as_email", "Password must not be the same as the email address.")
        )
    return violations
