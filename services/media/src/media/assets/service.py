"""Use cases of /media: request an upload, confirm it, read, list, delete."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID, uuid4

from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_contracts.media import AssetDeletedV1, AssetUploadedV1
from fitness_platform.outbox import add_event
from fitness_platform.pagination import PageParams
from fitness_platform.problems import Conflict, NotFound, ProblemError
from fitness_platform.sync import Changes, SyncCursor, SyncPage, no_filters_with_delta
from media import metrics
from media.assets import repository
from media.assets.models import Asset, AssetRecord, AssetStatus
from media.assets.schemas import AssetOut, UploadIn, UploadInstructions, UploadOut
from media.domain.content_types import SNIFF_BYTES, ContentType
from media.domain.purposes import Purpose
from media.domain.uploads import SizeLimits, bytes_mismatch, metadata_mismatch, object_key
from media.settings import MediaSettings
from media.storage.store import ObjectStore

log = logging.getLogger(__name__)


def limits(settings: MediaSettings) -> SizeLimits:
    return SizeLimits(image_bytes=settings.max_image_bytes, video_bytes=settings.max_video_bytes)


def to_out(asset: Asset | AssetRecord, *, store: ObjectStore, settings: MediaSettings) -> AssetOut:
    out = AssetOut.model_validate(asset)
    if asset.status == AssetStatus.READY.value:
        download = store.download_request(asset.object_key, expires_s=settings.download_url_ttl_s)
        out.download_url, out.download_expires_at = download.url, download.expires_at
    return out


class UploadRejected(ProblemError):
    """The uploaded object is not what was declared (422); ``reason`` labels the metric."""

    def __init__(self, path: str, message: str, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(
            422,
            detail=detail,
            type_slug="upload-rejected",
            extra={"errors": [{"path": path, "message": message, "type": reason}]},
        )


def _invalid(path: str, message: str, type_: str, detail: str) -> ProblemError:
    return ProblemError(
        422,
        detail=detail,
        type_slug="validation-error",
        extra={"errors": [{"path": path, "message": message, "type": type_}]},
    )


async def request_upload(
    *,
    session: AsyncSession,
    store: ObjectStore,
    settings: MediaSettings,
    user_id: UUID,
    data: UploadIn,
) -> UploadOut:
    limit = limits(settings).for_type(data.content_type)
    if data.size_bytes > limit:
        raise _invalid(
            "body.sizeBytes",
            f"at most {limit} bytes for {data.content_type.value}",
            "less_than_equal",
            f"sizeBytes must be at most {limit} for {data.content_type.value}.",
        )
    asset_id = uuid4()
    record = AssetRecord(
        id=asset_id,
        user_id=user_id,
        purpose=data.purpose.value,
        content_type=data.content_type.value,
        size_bytes=data.size_bytes,
        filename=data.filename,
        object_key=object_key(user_id, asset_id),
        status=AssetStatus.PENDING.value,
        created_at=datetime.now(UTC),
        uploaded_at=None,
    )
    await repository.insert(session, record)
    metrics.UPLOADS_REQUESTED.labels(record.content_type).inc()
    # The row is committed before the URL leaves the service: an object never exists without
    # its row, which is what lets the worker call an object without one an orphan.
    await session.commit()
    upload = store.upload_request(
        record.object_key,
        content_type=record.content_type,
        size_bytes=record.size_bytes,
        expires_s=settings.upload_url_ttl_s,
    )
    return UploadOut(
        id=record.id,
        purpose=data.purpose,
        content_type=data.content_type,
        size_bytes=record.size_bytes,
        filename=record.filename,
        status="pending",
        created_at=record.created_at,
        upload=UploadInstructions(
            url=upload.url, headers=upload.headers, expires_at=upload.expires_at
        ),
        expires_at=upload.expires_at,
    )


async def get_asset(
    *,
    pool: AsyncConnectionPool,
    store: ObjectStore,
    settings: MediaSettings,
    user_id: UUID,
    asset_id: UUID,
) -> AssetOut | None:
    record = await repository.read_by_id(pool, asset_id=asset_id, user_id=user_id)
    return None if record is None else to_out(record, store=store, settings=settings)


async def list_assets(
    *,
    pool: AsyncConnectionPool,
    store: ObjectStore,
    settings: MediaSettings,
    user_id: UUID,
    purpose: Purpose | None,
    page: PageParams,
    since: SyncCursor | None = None,
) -> SyncPage[AssetOut] | Changes[AssetOut]:
    """The page with a sync cursor; with ``since``, the changes since that cursor instead."""
    if since is not None:
        no_filters_with_delta(since, {"purpose": purpose})
        changed, delta = await repository.read_changes(
            pool, user_id=user_id, cursor=since, limit=page.limit
        )
        return Changes[AssetOut].model_construct(
            items=[to_out(r, store=store, settings=settings) for r in changed],
            deleted=delta.deleted,
            cursor=delta.cursor,
            has_more=delta.has_more,
        )
    records, total, cursor = await repository.read_page(
        pool,
        user_id=user_id,
        purpose=purpose.value if purpose else None,
        limit=page.limit,
        offset=page.offset,
    )
    items = [to_out(r, store=store, settings=settings) for r in records]
    return SyncPage[AssetOut].model_construct(
        items=items, page=page.page, limit=page.limit, total=total, cursor=cursor
    )


_DETAILS = {
    "size_mismatch": "The uploaded object's size differs from the declared size.",
    "content_type_mismatch": "The uploaded object's content type differs from the declared one.",
    "magic_mismatch": "The uploaded bytes do not match the declared content type.",
}


async def _rejection(asset: Asset, store: ObjectStore) -> UploadRejected | None:
    """Why the uploaded object is not what was declared, or None. Reads only its first bytes."""
    info = await store.stat(asset.object_key)
    if info is None:
        raise Conflict(
            "Nothing has been uploaded for this asset yet: PUT the bytes to the upload URL first.",
            type_slug="upload-missing",
        )
    declared = ContentType(asset.content_type)
    mismatch = metadata_mismatch(
        declared_type=declared,
        declared_size=asset.size_bytes,
        size=info.size,
        stored_type=info.content_type,
    )
    if mismatch is None:
        head = await store.head_bytes(asset.object_key, SNIFF_BYTES)
        mismatch = bytes_mismatch(declared_type=declared, head=head or b"")
    if mismatch is None:
        return None
    return UploadRejected(
        f"object.{mismatch.field}", mismatch.message, mismatch.reason, _DETAILS[mismatch.reason]
    )


async def confirm(
    *,
    session: AsyncSession,
    store: ObjectStore,
    settings: MediaSettings,
    user_id: UUID,
    asset_id: UUID,
) -> AssetOut:
    asset = await repository.get_for_user(session, asset_id=asset_id, user_id=user_id)
    if asset is None:
        raise NotFound("No such asset.")
    # End the read transaction: no pooled connection is held while S3 answers.
    await session.commit()
    if asset.status == AssetStatus.READY.value:
        return to_out(asset, store=store, settings=settings)
    problem = await _rejection(asset, store)
    if problem is not None:
        # A wrong object is removed at once; the asset stays pending, so the client may upload
        # again while the URL is valid (the worker removes abandoned ones).
        await store.remove(asset.object_key)
        metrics.UPLOADS_REJECTED.labels(problem.reason).inc()
        raise problem
    now = datetime.now(UTC)
    if await repository.mark_ready(session, asset_id=asset.id, at=now):
        await add_event(
            session,
            AssetUploadedV1(
                asset_id=asset.id,
                user_id=user_id,
                purpose=Purpose(asset.purpose).value,
                content_type=asset.content_type,
                size_bytes=asset.size_bytes,
                uploaded_at=now,
            ),
            key=str(user_id),
        )
        metrics.UPLOADS_CONFIRMED.inc()
    await session.commit()
    # Either ours or a concurrent confirm's result; gone if deleted meanwhile.
    current = await repository.get_for_user(session, asset_id=asset_id, user_id=user_id)
    await session.commit()
    if current is None:
        raise NotFound("No such asset.")
    return to_out(current, store=store, settings=settings)


async def delete_asset(
    *, session: AsyncSession, store: ObjectStore, user_id: UUID, asset_id: UUID
) -> bool:
    asset = await repository.delete_for_user(session, asset_id=asset_id, user_id=user_id)
    if asset is None:
        return False
    await add_event(
        session,
        AssetDeletedV1(
            asset_id=asset.id, user_id=user_id, reason="user", deleted_at=datetime.now(UTC)
        ),
        key=str(user_id),
    )
    await session.commit()
    metrics.ASSETS_DELETED.labels("user").inc()
    # Row first, object second: if S3 fails here the object is an orphan the worker removes.
    try:
        await store.remove(asset.object_key)
    except Exception:
        log.warning("object not removed: left to the orphan sweep", exc_info=True)
    return True
