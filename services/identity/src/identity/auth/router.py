"""HTTP endpoints of /auth and the JWKS document; thin: validate, call the service, shape output."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from fitness_platform.db import SessionDep
from fitness_platform.problems import problem_responses
from identity.auth import service
from identity.auth.dependencies import (
    CurrentSessionDep,
    KeyRingDep,
    PasswordsDep,
    RedisDep,
    SettingsDep,
)
from identity.auth.schemas import JWKS, LoginIn, LogoutIn, RefreshIn, RegisterIn, TokenPair
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
    body: RegisterIn, response: Response, session: SessionDep, passwords: PasswordsDep
) -> UserPublic:
    user = await service.register(
        session=session,
        passwords=passwords,
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
) -> TokenPair:
    issued = await service.login(
        session=session,
        passwords=passwords,
        keyring=keyring,
        settings=settings,
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
    body: RefreshIn, session: SessionDep, keyring: KeyRingDep, settings: SettingsDep
) -> TokenPair:
    issued = await service.refresh(
        session=session, keyring=keyring, settings=settings, refresh_token=body.refresh_token
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


@jwks_router.get(
    "/.well-known/jwks.json",
    summary="Public keys that verify access tokens (RFC 7517)",
    response_model=JWKS,
)
async def jwks(keyring: KeyRingDep, response: Response) -> JWKS:
    # Verifiers cache this for minutes; rotation publishes a new key before it signs (DESIGN §4).
    response.headers["Cache-Control"] = "public, max-age=300"
    return JWKS.model_validate(keyring.public_jwks())
