"""Wire models for /auth/*."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints, ValidationInfo, field_validator

from fitness_platform.schemas import CamelInput, CamelModel
from identity.domain.password_policy import MAX_LENGTH, MIN_LENGTH, check_password

# Taken as sent: CamelInput strips strings, which would silently change a password, and would
# turn a whitespace-only email or token into a 422 that the schema (minLength 1) calls valid.
# Lookups need no stripping: emails are matched by strip().lower(), tokens by their hash.
Verbatim = Annotated[str, StringConstraints(strip_whitespace=False)]
Password = Verbatim


class RegisterIn(CamelInput):
    email: EmailStr = Field(max_length=254, examples=["ada@example.com"])
    # Length bounds are in the schema so clients (and schemathesis) see them; the blocklist and
    # "not your email" rules run in the validator below.
    password: Password = Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        examples=["correct horse battery staple"],
        description="10–128 characters, not a common password, not the email address",
    )
    # No control characters (PostgreSQL text cannot even hold NUL).
    name: str = Field(
        min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$", examples=["Ada Lovelace"]
    )

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str, info: ValidationInfo) -> str:
        violations = check_password(value, email=info.data.get("email"))
        if violations:
            raise ValueError(" ".join(v.message for v in violations))
        return value


class LoginIn(CamelInput):
    # Not EmailStr: a malformed address simply fails to log in with the same 401 as any other.
    email: Verbatim = Field(min_length=1, max_length=254, examples=["ada@example.com"])
    password: Password = Field(min_length=1, max_length=1024)


class RefreshIn(CamelInput):
    refresh_token: Verbatim = Field(min_length=1, max_length=256)


class LogoutIn(CamelInput):
    refresh_token: Verbatim | None = Field(default=None, min_length=1, max_length=256)


# One-time tokens are 43 URL-safe characters (256 bits); the bounds only keep junk out.
OneTimeToken = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=16, max_length=128)
]

RESET_REQUESTED = "If an account exists for this email, a reset link has been sent to it."


class TokenIn(CamelInput):
    token: OneTimeToken


class PasswordResetRequestIn(CamelInput):
    # Not EmailStr: a malformed address gets the same 202 as an unknown one.
    email: Verbatim = Field(min_length=1, max_length=254, examples=["ada@example.com"])


class PasswordResetConfirmIn(CamelInput):
    token: OneTimeToken
    new_password: Password = Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        examples=["a brand new passphrase"],
        description="10–128 characters, not a common password, not the email address",
    )


class Accepted(CamelModel):
    message: str


class TokenPair(CamelModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Lifetime of the access token in seconds", examples=[900])


class PublicJWK(BaseModel):
    """One public signing key (RFC 7517 / RFC 8037 OKP)."""

    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class JWKS(BaseModel):
    keys: list[PublicJWK]
