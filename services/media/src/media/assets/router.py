"""/media: presigned uploads straight to S3, confirm, metadata with a download URL, delete."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from fitness_platform.auth import CurrentUserDep
from fitness_platform.db import ReadPoolDep, SessionDep
from fitness_platform.etags import etag_of
from fitness_platform.pagination import PageDep
from fitness_platform.problems import NotFound, problem_responses
from fitness_platform.schemas import json_response
from fitness_platform.sync import SYNC_RESPONSES, Changes, SyncPage, UpdatedSinceDep
from media.assets import service
from media.assets.schemas import AssetOut, UploadIn, UploadOut
from media.dependencies import AUTH_RESPONSES, SettingsDep, StoreDep
from media.domain.purposes import Purpose

router = APIRouter(prefix="/media", tags=["media"], responses=AUTH_RESPONSES)


@router.post("/upload", status_code=status.HTTP_201_CREATED)
async def request_upload(
    body: UploadIn,
    user: CurrentUserDep,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    response: Response,
) -> UploadOut:
    """Create a pending asset and a presigned PUT (15 min) whose Content-Type and
    Content-Length are signed: S3 refuses a body of another type or size. Then confirm."""
    out = await service.request_upload(
        session=session, store=store, settings=settings, user_id=user.id, data=body
    )
    response.headers["Location"] = f"/media/{out.id}"
    return out


@router.post("/{asset_id:uuid}/confirm", responses=problem_responses(404, 409))
async def confirm_upload(
    asset_id: UUID,
    user: CurrentUserDep,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
) -> AssetOut:
    """Check the object (exists, size, content type, first bytes) and mark the asset ready
    (emits media.asset.uploaded.v1). 409 = nothing uploaded yet; 422 = the object is not what
    was declared (it is deleted). Confirming a ready asset returns it unchanged."""
    return await service.confirm(
        session=session, store=store, settings=settings, user_id=user.id, asset_id=asset_id
    )


@router.get("/{asset_id:uuid}", response_model=AssetOut, responses=problem_responses(404))
async def get_asset(
    asset_id: UUID, user: CurrentUserDep, pool: ReadPoolDep, store: StoreDep, settings: SettingsDep
) -> Response:
    """Metadata and, when ready, a presigned download URL (5 min). Another user's id is 404."""
    out = await service.get_asset(
        pool=pool, store=store, settings=settings, user_id=user.id, asset_id=asset_id
    )
    if out is None:
        raise NotFound("No such asset.")
    response = json_response(out)
    # The presigned URL changes every second; the ETag follows the asset, not the signature.
    response.headers["ETag"] = etag_of(out.model_dump_json(exclude={"download_url"}).encode())
    return response


@router.get("", response_model=SyncPage[AssetOut] | Changes[AssetOut], responses=SYNC_RESPONSES)
async def list_assets(
    user: CurrentUserDep,
    pool: ReadPoolDep,
    store: StoreDep,
    settings: SettingsDep,
    page: PageDep,
    since: UpdatedSinceDep,
    purpose: Annotated[Purpose | None, Query()] = None,
) -> Response:
    """The caller's assets, newest first, with a sync `cursor`. With `updatedSince`: the
    assets written since then (confirmed uploads included), the ids deleted since then and the
    next `cursor`, `limit` changes a call (no `purpose`; `page` is ignored)."""
    return json_response(
        await service.list_assets(
            pool=pool,
            store=store,
            settings=settings,
            user_id=user.id,
            purpose=purpose,
            page=page,
            since=since,
        )
    )


@router.delete(
    "/{asset_id:uuid}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def delete_asset(
    asset_id: UUID, user: CurrentUserDep, session: SessionDep, store: StoreDep
) -> Response:
    """Delete the asset and its object (emits media.asset.deleted.v1)."""
    if not await service.delete_asset(
        session=session, store=store, user_id=user.id, asset_id=asset_id
    ):
        raise NotFound("No such asset.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
