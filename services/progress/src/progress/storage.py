"""Report charts in S3 (nanio locally): upload, presigned GET, erase a user's objects.

minio's client is blocking: every call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from urllib.parse import urlsplit
from uuid import UUID

from minio import Minio
from minio.deleteobjects import DeleteObject

from progress.settings import ProgressSettings

PNG = "image/png"


def user_prefix(user_id: UUID) -> str:
    return f"reports/{user_id}/"


def chart_key(user_id: UUID, week_start: object) -> str:
    return f"{user_prefix(user_id)}{week_start}.png"


def _client(endpoint: str, settings: ProgressSettings) -> Minio:
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    return Minio(
        parts.netloc,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=parts.scheme == "https",
        # With the region given, presigning is offline (no GetBucketLocation round trip).
        region=settings.s3_region,
    )


class ChartStore:
    def __init__(self, settings: ProgressSettings) -> None:
        self.bucket = settings.s3_bucket
        self.ttl = timedelta(seconds=settings.chart_url_ttl_s)
        self._client = _client(settings.s3_endpoint, settings)
        # URLs are signed for the host the client will call: the signature covers it.
        self._signer = (
            _client(settings.s3_public_endpoint, settings)
            if settings.s3_public_endpoint
            else self._client
        )

    async def ensure_bucket(self) -> None:
        def make() -> None:
            if not self._client.bucket_exists(self.bucket):
                self._client.make_bucket(self.bucket)

        await asyncio.to_thread(make)

    async def check(self) -> None:
        """Readiness: the bucket answers (raises otherwise)."""
        if not await asyncio.to_thread(self._client.bucket_exists, self.bucket):
            raise RuntimeError(f"bucket {self.bucket} is missing")

    async def put_png(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(
            self._client.put_object, self.bucket, key, io.BytesIO(data), len(data), PNG
        )

    async def url(self, key: str) -> str:
        return await asyncio.to_thread(
            self._signer.presigned_get_object, self.bucket, key, expires=self.ttl
        )

    async def erase_user(self, user_id: UUID) -> int:
        """Delete every object under the user's prefix; returns how many were listed."""

        def erase() -> int:
            objects = [
                DeleteObject(o.object_name)
                for o in self._client.list_objects(
                    self.bucket, prefix=user_prefix(user_id), recursive=True
                )
                if o.object_name
            ]
            if not objects:
                return 0
            errors = list(self._client.remove_objects(self.bucket, objects))
            if errors:
                raise RuntimeError(f"S3 delete failed for {len(errors)} objects: {errors[0]}")
            return len(objects)

        return await asyncio.to_thread(erase)
