"""Media test fixtures: one migrated throw-away schema and one bucket per session, the app over
ASGI, users with self-signed Ed25519 tokens (the service gets a static JWKS), the session's nanio."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from fitness_platform.testing import (
    ApiUser,
    FreshSchema,
    TokenFactory,
    create_schema,
    drop_schema,
    running_app,
    schema_connection,
)

SERVICE_DIR = Path(__file__).resolve().parents[1]
MIGRATIONS = str(SERVICE_DIR / "migrations")

# Bodies with the right first bytes for each allowed type (magic numbers: domain/content_types).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100


@pytest.fixture(scope="session")
async def media_schema(pg_admin_url: str) -> AsyncIterator[FreshSchema]:
    fresh = await create_schema(pg_admin_url, "media", MIGRATIONS)
    yield fresh
    await drop_schema(pg_admin_url, fresh)


@pytest.fixture(scope="session")
def bucket(s3_client: Any) -> Iterator[str]:
    name = f"media-test-{secrets.token_hex(4)}"
    yield name
    if s3_client.bucket_exists(name):
        for obj in s3_client.list_objects(name, recursive=True):
            s3_client.remove_object(name, obj.object_name)
        s3_client.remove_bucket(name)


@pytest.fixture(scope="session")
def settings(
    media_schema: FreshSchema,
    redis_url: str,
    kafka_bootstrap: str,
    token_factory: TokenFactory,
    bucket: str,
) -> Any:
    from media.settings import MediaSettings

    return MediaSettings(
        environment="test",
        database_url=media_schema.url,
        db_schema=media_schema.schema,
        redis_url=redis_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwks_json=token_factory.jwks_json,
        db_pool_size=4,
        s3_endpoint=os.environ["FITNESS_TEST_S3_ENDPOINT"],
        s3_access_key=os.environ["FITNESS_TEST_S3_ACCESS_KEY"],
        s3_secret_key=os.environ["FITNESS_TEST_S3_SECRET_KEY"],
        bucket=bucket,
    )


@pytest.fixture(scope="session")
async def app(settings: Any) -> FastAPI:
    from media.main import create_app

    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


@pytest.fixture(scope="session")
async def s3_http() -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client for what a phone does with presigned URLs."""
    async with httpx.AsyncClient(timeout=30) as c:
        yield c


User = ApiUser


@pytest.fixture
async def db(media_schema: FreshSchema) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain connection into the service schema for assertions (autocommit)."""
    async with schema_connection(media_schema) as conn:
        yield conn


async def count_assets(conn: psycopg.AsyncConnection[Any], user_id: uuid.UUID) -> int:
    cur = await conn.execute("SELECT count(*) FROM assets WHERE user_id = %s", (user_id,))
    row = await cur.fetchone()
    return int(row[0]) if row else 0


class Api:
    """What a phone does: ask for an upload, PUT the bytes to S3, confirm (helpers for tests)."""

    JPEG = JPEG
    PNG = PNG
    MP4 = MP4

    def __init__(self, client: httpx.AsyncClient, s3: httpx.AsyncClient) -> None:
        self.client, self.s3 = client, s3

    @staticmethod
    def body(
        content_type: str = "image/jpeg", size: int = len(JPEG), **overrides: Any
    ) -> dict[str, Any]:
        return {
            "filename": "me.jpg",
            "contentType": content_type,
            "sizeBytes": size,
            "purpose": "avatar",
            **overrides,
        }

    async def request_upload(
        self, user: User, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        resp = await self.client.post(
            "/media/upload", json=body or self.body(), headers=user.headers
        )
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    async def put(self, upload: dict[str, Any], data: bytes, **headers: str) -> httpx.Response:
        return await self.s3.put(
            upload["url"], content=data, headers={**upload["headers"], **headers}
        )

    async def ready_asset(self, user: User, data: bytes = JPEG, content_type: str = "image/jpeg"):
        created = await self.request_upload(user, self.body(content_type, len(data)))
        assert (await self.put(created["upload"], data)).status_code == 200
        resp = await self.client.post(f"/media/{created['id']}/confirm", headers=user.headers)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())


@pytest.fixture
def api(client: httpx.AsyncClient, s3_http: httpx.AsyncClient) -> Api:
    return Api(client, s3_http)
