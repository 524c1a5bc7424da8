"""The object store: the few S3 operations the service makes, through the ``minio`` client.

minio-py is synchronous (urllib3): every call runs in a worker thread so the event loop never
blocks on S3. Presigning is pure (``presign.py``): no S3 round trip on ``POST /media/upload``
or ``GET /media/{id}``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import urllib3
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import S3Error, ServerError

from fitness_platform.problems import ServiceUnavailable
from media.settings import MediaSettings
from media.storage.presign import Credentials, PresignedRequest, host_of, presign

log = logging.getLogger(__name__)

T = TypeVar("T")

_MISSING = frozenset({"NoSuchKey", "NoSuchObject", "NoSuchBucket", "ResourceNotFound"})


class StorageUnavailable(ServiceUnavailable):
    """S3 unreachable or failing: a 503 problem with Retry-After for the API; for the worker and
    the consumer just an error (the round or the event is retried)."""

    def __init__(self) -> None:
        super().__init__(
            "The object store is unavailable; try again shortly.",
            type_slug="storage-unavailable",
            headers={"Retry-After": "1"},
        )


async def _in_thread(fn: Callable[[], T]) -> T:
    try:
        return await asyncio.to_thread(fn)
    except (urllib3.exceptions.HTTPError, ServerError, OSError) as exc:
        log.warning("S3 call failed", exc_info=True)
        raise StorageUnavailable() from exc


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str | None
    last_modified: datetime | None


class ObjectStore:
    def __init__(self, settings: MediaSettings) -> None:
        scheme, host = host_of(settings.s3_endpoint)
        # Short timeouts and few retries: a request waiting on a dead S3 should fail, not hang.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=3, read=10),
            maxsize=16,
            retries=urllib3.Retry(total=2, backoff_factor=0.1, status_forcelist=[502, 503, 504]),
        )
        self.client = Minio(
            host,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=scheme == "https",
            region=settings.s3_region,
            http_client=http,
        )
        self.bucket = settings.bucket
        self._public = settings.s3_public_endpoint or settings.s3_endpoint
        self._credentials = Credentials(
            settings.s3_access_key, settings.s3_secret_key, settings.s3_region
        )
        self._bucket_ready = False

    # -- presigned URLs (no I/O) ---------------------------------------------------------------

    def upload_request(
        self, key: str, *, content_type: str, size_bytes: int, expires_s: int
    ) -> PresignedRequest:
        """A presigned PUT whose Content-Type and Content-Length are part of the signature."""
        return presign(
            method="PUT",
            endpoint=self._public,
            bucket=self.bucket,
            key=key,
            credentials=self._credentials,
            now=datetime.now(UTC).replace(microsecond=0),
            expires_s=expires_s,
            headers={"Content-Type": content_type, "Content-Length": str(size_bytes)},
        )

    def download_request(self, key: str, *, expires_s: int) -> PresignedRequest:
        return presign(
            method="GET",
            endpoint=self._public,
            bucket=self.bucket,
            key=key,
            credentials=self._credentials,
            now=datetime.now(UTC).replace(microsecond=0),
            expires_s=expires_s,
        )

    # -- object operations (threads) ----------------------------------------------------------

    async def ensure_bucket(self) -> None:
        """Create the bucket if missing (once per process; also the readiness check)."""
        if self._bucket_ready:
            return

        def _ensure() -> None:
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket)
                except S3Error as exc:
                    # Another process created it between the two calls.
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise

        await _in_thread(_ensure)
        self._bucket_ready = True

    async def check(self) -> None:
        """Readiness: the bucket exists (created if missing) and S3 answers."""
        self._bucket_ready = False
        await self.ensure_bucket()

    async def stat(self, key: str) -> ObjectInfo | None:
        def _stat() -> ObjectInfo | None:
            try:
                obj = self.client.stat_object(self.bucket, key)
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise
            return ObjectInfo(key, obj.size or 0, obj.content_type, obj.last_modified)

        return await _in_thread(_stat)

    async def head_bytes(self, key: str, length: int) -> bytes | None:
        """The object's first ``length`` bytes by a ranged GET (never the whole object)."""

        def _read() -> bytes | None:
            try:
                response = self.client.get_object(self.bucket, key, offset=0, length=length)
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise
            try:
                return bytes(response.read(length))
            finally:
                response.close()
                response.release_conn()

        return await _in_thread(_read)

    async def remove(self, key: str) -> None:
        """Idempotent: deleting a missing key succeeds (as on S3)."""
        await _in_thread(lambda: self.client.remove_object(self.bucket, key))

    async def remove_many(self, keys: Iterable[str]) -> None:
        objects = [DeleteObject(k) for k in keys]
        if not objects:
            return

        def _remove() -> None:
            # remove_objects is lazy: the errors iterator must be drained for anything to happen.
            errors = [e for e in self.client.remove_objects(self.bucket, objects)]
            failed = [e for e in errors if e.code not in _MISSING]
            if failed:
                raise RuntimeError(f"S3 refused to delete {len(failed)} objects: {failed[0]}")

        await _in_thread(_remove)

    async def list_objects(
        self, prefix: str | None = None, *, start_after: str | None = None, limit: int | None = None
    ) -> list[ObjectInfo]:
        """Objects in key order (after ``start_after``), at most ``limit`` of them."""

        def _list() -> list[ObjectInfo]:
            out: list[ObjectInfo] = []
            listing = self.client.list_objects(
                self.bucket, prefix=prefix, recursive=True, start_after=start_after
            )
            for obj in listing:
                if obj.object_name is None or obj.is_dir:
                    continue
                out.append(ObjectInfo(obj.object_name, obj.size or 0, None, obj.last_modified))
                if limit is not None and len(out) >= limit:
                    break
            return out

        return await _in_thread(_list)
