"""HTTP endpoints of /users: profiles (owner and public views), updates, account deletion."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from fitness_platform.audit import client_ip
from fitness_platform.db import ReadPoolDep, SessionDep
from fitness_platform.problems import problem_responses
from fitness_platform.schemas import json_response
from identity.auth.dependencies import CurrentSessionDep
from identity.auth.revocation import RevokerDep
from identity.deletion import service as deletion_service
from identity.users import service
from identity.users.schemas import ProfileUpdate, PublicProfile, UserProfile, profile_of

router = APIRouter(prefix="/users", tags=["users"])


@router.get(
    "/me",
    response_model=UserProfile,
    responses=problem_responses(401, 404, 429),
    summary="The signed-in user's account and profile",
)
async def me(current: CurrentSessionDep, pool: ReadPoolDep) -> Response:
    return json_response(profile_of(await service.read_own(pool=pool, user_id=current.user_id)))


@router.put(
    "/me",
    response_model=UserProfile,
    responses=problem_responses(400, 401, 404, 422, 429),
    summary="Update the signed-in user's profile (same as PUT /users/{your id})",
)
async def update_me(
    body: ProfileUpdate, current: CurrentSessionDep, session: SessionDep
) -> Response:
    return await update_user(current.user_id, body, current, session)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 404, 429),
    summary="Delete the signed-in user's account (same as DELETE /users/{your id})",
)
async def delete_me(
    current: CurrentSessionDep, session: SessionDep, revoker: RevokerDep, request: Request
) -> Response:
    return await delete_user(current.user_id, current, session, revoker, request)


@router.get(
    "/{user_id}",
    response_model=UserProfile | PublicProfile,
    responses=problem_responses(401, 404, 422, 429),
    summary="A user's profile: the full one for its owner, the public fields for others",
    description=(
        "The owner gets the full profile. Another user gets `{id, name, createdAt}` when the "
        "owner set `profileVisibility: public`, else 404 (as for an unknown id)."
    ),
)
async def get_user(user_id: uuid.UUID, current: CurrentSessionDep, pool: ReadPoolDep) -> Response:
    user, is_owner = await service.read_visible(
        pool=pool, viewer_id=current.user_id, user_id=user_id
    )
    return json_response(profile_of(user) if is_owner else PublicProfile.model_validate(user))


@router.put(
    "/{user_id}",
    response_model=UserProfile,
    responses=problem_responses(400, 401, 404, 422, 429),
    summary="Update your profile (owner only; other ids are 404)",
    description=(
        "Fields left out keep their value; `null` clears an optional field. Unknown fields "
        "(e.g. `roles`, `email`) are refused with 422. Emits `identity.user.profile_updated.v1` "
        "listing the fields that really changed (none changed: no event)."
    ),
)
async def update_user(
    user_id: uuid.UUID, body: ProfileUpdate, current: CurrentSessionDep, session: SessionDep
) -> Response:
    user = await service.update_profile(
        session=session,
        actor_id=current.user_id,
        user_id=user_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return json_response(profile_of(user))


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 404, 422, 429),
    summary="Delete an account (GDPR): the owner or an admin",
    description=(
        "Deactivates at once: login and refresh refused, every refresh and access token of the "
        "account revoked (in every session), the email free to register again. Emits "
        "`identity.user.deleted.v1`; the row and everything of the user is purged after the "
        "grace period (`IDENTITY_DELETION_GRACE_PERIOD_S`). Another user's id is 404."
    ),
)
async def delete_user(
    user_id: uuid.UUID,
    current: CurrentSessionDep,
    session: SessionDep,
    revoker: RevokerDep,
    request: Request,
) -> Response:
    await deletion_service.delete_account(
        session=session,
        revoker=revoker,
        actor_id=current.user_id,
        actor_roles=current.roles,
        user_id=user_id,
        ip=client_ip(request),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
