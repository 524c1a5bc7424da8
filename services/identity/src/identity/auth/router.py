"""HTTP endpoints of /auth and the JWKS document; thin: validate, call the service, shape output."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from fitness_platform.db import SessionDep
from fitness_platform.problems import problem_responses
from identity.auth import email_flows, service
from identity.auth.dependencies import (
    CurrentSessionDep,
    KeyRingDep,
    PasswordsDep,
    RedisDep,
    SettingsDep,
)
from identity.auth.revocation import RevokerDep
from identity.auth.schemas import (
    JWKS,
    RESET_REQUESTED,
    Accepted,
    LoginIn,
    LogoutIn,
    PasswordResetConfirmIn,
    PasswordResetRequestIn,
    RefreshIn,
    RegisterIn,
    TokenIn,
    TokenPair,
)
from identity.users.schemas import UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])
jwks_router = APIRouter(tags=["keys"])


def _tokens(issued: service.IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses={
        201: {
            "headers": {
                "Location": {"description": "URL of the new user", "schema": {"type": "string"}}
            }
        },
        **problem_responses(400, 409, 422, 429),
    },
    summary="Create an account",
)
async def register(
    body: RegisterIn,
    response: Response,
    session: SessionDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
) -> UserPublic:
    user = await service.register(
        session=session,
        passwords=passwords,
        settings=settings,
        email=str(body.email),
        password=body.password,
        name=body.name,
    )
    response.headers["Location"] = f"/users/{user.id}"
    return UserPublic.model_validate(user)


@router.post(
    "/login",
    response_model=TokenPair,
    responses=problem_responses(400, 401, 403, 422, 429),
    summary="Exchange email and password for an access and a refresh token",
)
async def login(
    body: LoginIn,
    session: SessionDep,
    passwords: PasswordsDep,
    keyring: KeyRingDep,
    settings: SettingsDep,
    redis: RedisDep,
) -> TokenPair:
    issued = await service.login(
        session=session,
        passwords=passwords,
        keyring=keyring,
        settings=settings,
        redis=redis,
        email=body.email,
        password=body.password,
    )
    return _tokens(issued)


@router.post(
    "/refresh",
    response_model=TokenPair,
    responses=problem_responses(400, 401, 422, 429),
    summary="Rotate a refresh token into a new token pair",
)
async def refresh(
    body: RefreshIn,
    session: SessionDep,
    keyring: KeyRingDep,
    settings: SettingsDep,
    redis: RedisDep,
) -> TokenPair:
    issued = await service.refresh(
        session=session,
        keyring=keyring,
        settings=settings,
        redis=redis,
        refresh_token=body.refresh_token,
    )
    return _tokens(issued)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(400, 401, 422, 429),
    summary="End the current session: revoke its refresh tokens and the access token",
)
async def logout(
    current: CurrentSessionDep,
    session: SessionDep,
    redis: RedisDep,
    body: LogoutIn | None = None,
) -> Response:
    await service.logout(
        session=session,
        redis=redis,
        user_id=current.user_id,
        session_id=current.session_id,
        jti=current.jti,
        expires_at=current.exp,
        refresh_token=body.refresh_token if body is not None else None,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(400, 422, 429),
    summary="Confirm the email address with the token from the verification mail",
    description="Public. 400 `invalid-token` for an unknown, expired or already used token.",
)
async def verify_email(body: TokenIn, session: SessionDep) -> Response:
    await email_flows.verify_email(session=session, token=body.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=problem_responses(401, 404, 409, 429),
    summary="Send a new verification mail to the signed-in user",
    description=(
        "At most `IDENTITY_VERIFICATION_RESEND_LIMIT` (3) per "
        "`IDENTITY_VERIFICATION_RESEND_WINDOW_S` (1 hour) per user, then 429 with `Retry-After`. "
        "409 `already-verified` once the address is verified."
    ),
)
async def resend_verification(
    current: CurrentSessionDep, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> Accepted:
    await email_flows.resend_verification(
        session=session, redis=redis, settings=settings, user_id=current.user_id
    )
    return Accepted(message="A new verification mail is on its way.")


@router.post(
    "/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=problem_responses(400, 422, 429),
    summary="Mail a password-reset link (same answer whether or not the email is known)",
)
async def request_password_reset(
    body: PasswordResetRequestIn, session: SessionDep, settings: SettingsDep
) -> Accepted:
    await email_flows.request_password_reset(session=session, settings=settings, email=body.email)
    return Accepted(message=RESET_REQUESTED)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(400, 422, 429),
    summary="Set a new password with the token from the reset mail",
    description=(
        "The token works once and for `IDENTITY_PASSWORD_RESET_TTL_S` (30 min); 400 "
        "`invalid-token` otherwise. The password policy applies (422 on `body.newPassword`). "
        "Every refresh token and access token of the user is revoked: all sessions end."
    ),
)
async def confirm_password_reset(
    body: PasswordResetConfirmIn, session: SessionDep, passwords: PasswordsDep, revoker: RevokerDep
) -> Response:
    await email_flows.confirm_password_reset(
        session=session,
        passwords=passwords,
        revoker=revoker,
        token=body.token,
        new_password=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@jwks_router.get(
    "/.well-known/jwks.json",
    summary="Public keys that verify access tokens (RFC 7517)",
    response_model=JWKS,
)
async def jwks(keyring: KeyRingDep, response: Response) -> JWKS:
    # Verifiers cache this for minutes; rotation publishes a new key before it signs (DESIGN §4).
    response.headers["Cache-Control"] = "public, max-age=300"
    return JWKS.model_validate(keyring.public_jwks())
