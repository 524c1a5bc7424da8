"""`make bench` scenarios of the media service: request an upload, read an asset's metadata.

``prepare`` gives every virtual user one ready asset (upload request → PUT of the bytes straight
to S3 with the presigned URL → confirm), unmeasured, so ``GET /media/{id}`` reads a ready row and
presigns its download URL like the app's common case.
"""

from __future__ import annotations

import aiohttp

from e2e.bench import Client, Request

# A JPEG's first bytes (SOI + APP0 marker): what the service's confirm checks.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 1000
UPLOAD = {
    "filename": "bench.jpg",
    "contentType": "image/jpeg",
    "sizeBytes": len(JPEG),
    "purpose": "progress_photo",
}

# user id → a ready asset of that user (filled by prepare).
ASSETS: dict[str, str] = {}


async def prepare(session: aiohttp.ClientSession, base: str, clients: list[Client]) -> None:
    for c in clients:
        if c.user_id in ASSETS:
            continue
        async with session.post(f"{base}/media/upload", json=UPLOAD, headers=c.auth()) as r:
            if r.status != 201:
                raise RuntimeError(f"media upload request failed: {r.status} {await r.text()}")
            created = await r.json()
        upload = created["upload"]
        async with session.put(upload["url"], data=JPEG, headers=upload["headers"]) as r:
            if r.status != 200:
                raise RuntimeError(f"PUT to S3 failed: {r.status} {await r.text()}")
        async with session.post(f"{base}/media/{created['id']}/confirm", headers=c.auth()) as r:
            if r.status != 200:
                raise RuntimeError(f"media confirm failed: {r.status} {await r.text()}")
        ASSETS[c.user_id] = created["id"]


def scenarios(base: str) -> dict[str, Request]:
    async def request_upload(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.post(f"{base}/media/upload", json=UPLOAD, headers=c.auth()) as r:
            await r.read()
            return r.status

    async def get_asset(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.get(f"{base}/media/{ASSETS[c.user_id]}", headers=c.auth()) as r:
            await r.read()
            return r.status

    return {"POST /media/upload": request_upload, "GET /media/{id}": get_asset}


PLAN: dict[str, tuple[int, float]] = {
    "POST /media/upload": (16, 8),
    "GET /media/{id}": (16, 8),
}
