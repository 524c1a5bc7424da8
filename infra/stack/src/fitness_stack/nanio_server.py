"""nanio (S3 on a folder) as the stack runs it: ``python -m fitness_stack.nanio_server serve …``.

nanio 0.1.7 writes an object to ``<dir>/.tmp.<hex>`` and renames it into place, and its listings
show those in-flight files as objects. tansu's S3 storage parses every listed record name as an
offset: one upload in flight during a fetch or ``ListOffsets`` fails the whole request
(``ParseInt(InvalidDigit)``), which is how a fresh consumer group on a busy topic received
nothing. Real S3 never lists an object before its upload completed; this wrapper hides the
in-flight files the same way nanio already hides its own ``.nanio*`` bookkeeping.

nanio 0.1.7 also ignores ``If-None-Match: *`` and ``If-Match`` on PUT. tansu's S3 storage
relies on them (object_store's put-if-absent and compare-and-swap) when several producers
append to one partition: each claims the next offset by creating its object only if absent.
Without the check two concurrent producers both "won" the same offset and one batch silently
overwrote the other (reproduced: three producers writing two records each to one partition,
2–4 of 6 records kept; issue 14's poison-event test lost dead letters this way). The wrapper
adds the two preconditions the S3 way (412 PreconditionFailed), atomic per object key.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

IN_FLIGHT_PREFIX = ".tmp."


def hide_in_flight_uploads() -> None:
    """Make nanio's listings skip ``.tmp.<hex>`` files (idempotent)."""
    from nanio.storage import filesystem, paths

    original = paths.is_internal_name
    if getattr(filesystem.is_internal_name, "hides_in_flight", False):
        return

    def is_internal_or_in_flight(name: str) -> bool:
        return original(name) or name.startswith(IN_FLIGHT_PREFIX)

    is_internal_or_in_flight.hides_in_flight = True  # type: ignore[attr-defined]
    filesystem.is_internal_name = is_internal_or_in_flight


def honour_put_preconditions() -> None:
    """Make nanio's PUT object check ``If-None-Match: *`` and ``If-Match`` (idempotent)."""
    from nanio.errors import NoSuchKey, PreconditionFailed
    from nanio.handlers import object as handlers

    if getattr(handlers.put_object, "honours_preconditions", False):
        return
    plain_put = handlers.put_object
    # One lock per object: the check and the write are one step for concurrent PUTs of a key
    # (nanio serves from one event loop, so an asyncio lock covers every writer). Locks are
    # dropped when no request holds or awaits them, so the map stays small.
    locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    def refused(
        storage: Any, bucket: str, key: str, if_none_match: str | None, if_match: str | None
    ) -> bool:
        try:
            current: str | None = storage.head_object(bucket, key).etag
        except NoSuchKey:
            current = None
        if if_none_match is not None and current is not None:
            return if_none_match.strip() == "*" or current in _tags(if_none_match)
        if if_match is not None:
            return current is None or (if_match.strip() != "*" and current not in _tags(if_match))
        return False

    async def put_object(request: Any, bucket: str, key: str) -> Any:
        if_none_match = request.headers.get("if-none-match")
        if_match = request.headers.get("if-match")
        if if_none_match is None and if_match is None:
            return await plain_put(request, bucket, key)
        lock, users = locks.get((bucket, key), (asyncio.Lock(), 0))
        locks[(bucket, key)] = (lock, users + 1)
        try:
            async with lock:
                storage = handlers.get_storage(request)
                if refused(storage, bucket, key, if_none_match, if_match):
                    raise PreconditionFailed(resource=f"{bucket}/{key}")
                return await plain_put(request, bucket, key)
        finally:
            lock, users = locks[(bucket, key)]
            if users == 1:
                del locks[(bucket, key)]
            else:
                locks[(bucket, key)] = (lock, users - 1)

    put_object.honours_preconditions = True  # type: ignore[attr-defined]
    handlers.put_object = put_object


def _tags(header: str) -> set[str]:
    return {t.strip() for t in header.split(",") if t.strip()}


def main(argv: list[str] | None = None) -> int:
    hide_in_flight_uploads()
    honour_put_preconditions()
    from nanio.cli import main as nanio_main

    return int(nanio_main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main())
