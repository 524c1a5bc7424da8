"""Delta sync for the lists a mobile client mirrors: ``updatedSince`` cursors and tombstones.

How a change is found (and why not ``updated_at > t``): a timestamp or sequence value is taken
when a transaction *writes*, but becomes visible when it *commits*; two concurrent transactions
commit in any order, so a reader that saw the later value and moves its cursor past it never
sees the earlier one when it commits. Here every tracked row (and every tombstone) carries
``change_xid``: the id of the transaction that last wrote it (``pg_current_xact_id()``, set by a
trigger, so no write path can forget it). A reader takes ``pg_snapshot_xmin`` of its snapshot
*before* reading: every transaction below it has ended (committed ones are visible to any later
snapshot), every one at or above it may still commit. That xmin is the next cursor's ``floor``:
the next call returns rows with ``change_xid >= floor``. Nothing committed out of order is lost;
the price is that changes of transactions in ``[floor, now)`` may come twice (clients upsert
items by id, so a repeat is harmless), more of them while a long write transaction is open.
xid8 never wraps (64 bits, epoch included), stored as bigint.

Deletions: an ``AFTER DELETE`` trigger writes ``sync_tombstones(entity, item_id, user_id,
change_xid, deleted_at)``; re-inserting the same key (a weigh-in for a day deleted before)
removes its tombstone. Tombstones are pruned after ``sync_tombstone_retention_days``
(``prune_tombstones``, a periodic job), so a cursor older than that could miss deletions: 410.

A delta is read in (change_xid, key) order, ``limit`` changes per call; while ``hasMore`` the
cursor is a continuation (same floor, position after the last change) and the floor the final
page hands out is the xmin taken on the first page, so changes committed meanwhile below the
position are read again on the next sync, not skipped.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar
from uuid import UUID

import orjson
from fastapi import Depends, Query, Request
from psycopg import sql
from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    delete,
    func,
    select,
    text,
)
from sqlalchemy import Uuid as SaUuid
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import mapped_column

from fitness_platform.db import check_schema_name
from fitness_platform.pagination import Page
from fitness_platform.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemError

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

    from fitness_platform.worker import WorkerContext

T = TypeVar("T")
log = logging.getLogger("fitness_platform.sync")

TOMBSTONES = "sync_tombstones"
CURSOR_VERSION = 1
# Cursors are short; anything longer is not ours (and is not worth decoding).
_MAX_CURSOR_CHARS = 512

# ------------------------------------------------------------------ tables and migrations


def tombstones_table(metadata: MetaData) -> Table:
    """``sync_tombstones`` in a service's metadata (so drift checks and GDPR erasure see it)."""
    return Table(
        TOMBSTONES,
        metadata,
        Column("entity", String(40), nullable=False),
        # The item's key as text: a uuid, or a day for the weight log.
        Column("item_id", Text, nullable=False),
        Column("user_id", SaUuid, nullable=False),
        Column("change_xid", BigInteger, nullable=False),
        Column("deleted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("entity", "item_id"),
        # The delta read: a user's tombstones since a floor.
        Index(f"ix_{TOMBSTONES}_user_change", "user_id", "change_xid"),
        # The pruning job.
        Index(f"ix_{TOMBSTONES}_deleted_at", "deleted_at"),
    )


def change_xid_column() -> Any:
    """The tracked table's ``change_xid`` (written by the trigger only; 0 = before tracking)."""
    return mapped_column(BigInteger, server_default=text("0"))


def _tombstone_ddl(table: str, entity: str, key: str) -> tuple[str, str]:
    """Per-table trigger functions (the key column is known here, no ``to_jsonb(NEW)`` per
    write); ``SET search_path FROM CURRENT`` pins them to the migrated schema. The names come
    from the migration's code, never from a request; checked as plain identifiers anyway."""
    for name in (table, entity, key):
        check_schema_name(name)
    touch = f"""
CREATE OR REPLACE FUNCTION sync_touch_{table}() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    IF TG_OP = 'INSERT' THEN
        DELETE FROM {TOMBSTONES} WHERE entity = '{entity}' AND item_id = NEW.{key}::text;
    END IF;
    RETURN NEW;
END $$;
"""  # noqa: S608  # nosec B608 - identifiers checked above
    gone = f"""
CREATE OR REPLACE FUNCTION sync_tombstone_{table}() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO {TOMBSTONES} (entity, item_id, user_id, change_xid, deleted_at)
    VALUES ('{entity}', OLD.{key}::text, OLD.user_id, pg_current_xact_id()::text::bigint, now())
    ON CONFLICT (entity, item_id) DO UPDATE SET user_id = EXCLUDED.user_id,
        change_xid = EXCLUDED.change_xid, deleted_at = EXCLUDED.deleted_at;
    RETURN NULL;
END $$;
"""  # noqa: S608  # nosec B608 - identifiers checked above
    return touch, gone


def create_tombstones_table(op: Any) -> None:
    """In a migration: the service's ``sync_tombstones`` table (once per schema)."""
    op.create_table(
        TOMBSTONES,
        Column("entity", String(40), nullable=False),
        Column("item_id", Text, nullable=False),
        Column("user_id", SaUuid, nullable=False),
        Column("change_xid", BigInteger, nullable=False),
        Column("deleted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("entity", "item_id", name=f"pk_{TOMBSTONES}"),
    )
    op.create_index(f"ix_{TOMBSTONES}_user_change", TOMBSTONES, ["user_id", "change_xid"])
    op.create_index(f"ix_{TOMBSTONES}_deleted_at", TOMBSTONES, ["deleted_at"])


def drop_tombstones_table(op: Any) -> None:
    op.drop_table(TOMBSTONES)


def track_changes_ddl(table: str, *, entity: str, key: str = "id") -> list[str]:
    """``change_xid`` + ``(user_id, change_xid)`` index + both triggers on ``table``. Rows that
    exist already keep 0: a client gets them from its first full list."""
    touch, gone = _tombstone_ddl(table, entity, key)
    return [
        f"ALTER TABLE {table} ADD COLUMN change_xid BIGINT DEFAULT 0 NOT NULL",
        f"CREATE INDEX ix_{table}_user_id_change_xid ON {table} (user_id, change_xid)",
        touch,
        gone,
        f"CREATE TRIGGER sync_touch BEFORE INSERT OR UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION sync_touch_{table}()",
        f"CREATE TRIGGER sync_tombstone AFTER DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION sync_tombstone_{table}()",
    ]


def track_changes(op: Any, table: str, *, entity: str, key: str = "id") -> None:
    """In a migration: :func:`track_changes_ddl` on ``table``."""
    for statement in track_changes_ddl(table, entity=entity, key=key):
        op.execute(statement)


def untrack_changes(op: Any, table: str) -> None:
    """Downgrade of :func:`track_changes`."""
    op.execute(f"DROP TRIGGER IF EXISTS sync_touch ON {table}")
    op.execute(f"DROP TRIGGER IF EXISTS sync_tombstone ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS sync_touch_{table}()")
    op.execute(f"DROP FUNCTION IF EXISTS sync_tombstone_{table}()")
    op.execute(f"DROP INDEX IF EXISTS ix_{table}_user_id_change_xid")
    op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS change_xid")


# ------------------------------------------------------------------ the cursor


class CursorExpiredError(ProblemError):
    """410: tombstones older than the retention are gone, the client must list afresh."""

    def __init__(self) -> None:
        super().__init__(
            410,
            "Sync cursor expired",
            "The cursor is older than the deletion history kept: list again without "
            "`updatedSince` (a full resync) and continue from the cursor it returns.",
            type_slug="sync-cursor-expired",
        )


def _malformed(reason: str) -> ProblemError:
    return ProblemError(
        422,
        detail="`updatedSince` is not a cursor this API returned.",
        type_slug="validation-error",
        extra={"errors": [{"path": "query.updatedSince", "message": reason, "type": "cursor"}]},
    )


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """What ``updatedSince`` carries. ``floor``/``floor_at``: changes of transactions at or
    above this xid are unseen (``floor_at`` = when it was taken, for the retention check).
    A continuation (``after`` set) also remembers the floor to hand out when it is done."""

    floor: int
    floor_at: float
    after: tuple[int, str] | None = None
    next_floor: int | None = None
    next_floor_at: float | None = None

    def encode(self) -> str:
        parts: list[Any] = [CURSOR_VERSION, self.floor, round(self.floor_at, 3)]
        if self.after is not None:
            parts += [self.after[0], self.after[1], self.next_floor, self.next_floor_at]
        return base64.urlsafe_b64encode(orjson.dumps(parts)).rstrip(b"=").decode()

    @classmethod
    def decode(cls, value: str) -> SyncCursor:
        """Raises a 422 problem for anything :meth:`encode` could not have written."""
        if not value or len(value) > _MAX_CURSOR_CHARS:
            raise _malformed("empty or too long")
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            parts = orjson.loads(raw)
        except (binascii.Error, ValueError, orjson.JSONDecodeError):
            raise _malformed("not a cursor") from None
        if not isinstance(parts, list) or len(parts) not in (3, 7) or parts[0] != CURSOR_VERSION:
            raise _malformed("unknown cursor format")
        if not (_xid(parts[1]) and _instant(parts[2])):
            raise _malformed("bad floor")
        if len(parts) == 3:
            return cls(parts[1], float(parts[2]))
        if not (
            _xid(parts[3])
            and isinstance(parts[4], str)
            and len(parts[4]) <= 64
            and _xid(parts[5])
            and _instant(parts[6])
        ):
            raise _malformed("bad position")
        return cls(parts[1], float(parts[2]), (parts[3], parts[4]), parts[5], float(parts[6]))

    def check_fresh(self, retention: timedelta, *, now: float | None = None) -> None:
        if (now if now is not None else time.time()) - self.floor_at > retention.total_seconds():
            raise CursorExpiredError


def _xid(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _instant(value: Any) -> bool:
    # Not before 2020, not more than a day ahead (clock skew): anything else was forged.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 1_577_836_800 <= value <= time.time() + 86_400
    )


async def updated_since(
    request: Request,
    value: Annotated[
        str | None,
        Query(
            alias="updatedSince",
            max_length=_MAX_CURSOR_CHARS,
            description=(
                "Delta sync: the `cursor` of a previous call (opaque, not a timestamp). The "
                "answer lists items created or changed since then (`items`), the ids of items "
                "deleted since then (`deleted`) and the next `cursor`; follow it while "
                "`hasMore`. Other filters do not apply. A cursor older than the deletion "
                "history kept (90 days by default) is a 410 problem: list without it again."
            ),
        ),
    ] = None,
) -> SyncCursor | None:
    """The decoded ``updatedSince``: 422 if malformed, 410 if older than the retention."""
    if value is None:
        return None
    cursor = SyncCursor.decode(value)
    cursor.check_fresh(timedelta(days=request.app.state.settings.sync_tombstone_retention_days))
    return cursor


UpdatedSinceDep = Annotated[SyncCursor | None, Depends(updated_since)]

SYNC_RESPONSES: dict[int | str, dict[str, Any]] = {
    410: {
        "model": Problem,
        "description": "`updatedSince` is older than the deletion history kept: resync",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def no_filters_with_delta(cursor: SyncCursor | None, filters: Mapping[str, object]) -> None:
    """A delta is of the whole list (a deletion has no date to filter by): a filter given with
    ``updatedSince`` is a 422 rather than silently ignored."""
    if cursor is None:
        return
    given = [name for name, value in filters.items() if value is not None]
    if given:
        raise ProblemError(
            422,
            detail="`updatedSince` returns every change; it cannot be combined with filters.",
            extra={
                "errors": [
                    {"path": f"query.{n}", "message": "not with updatedSince", "type": "conflict"}
                    for n in given
                ]
            },
        )


# ------------------------------------------------------------------ reading


_XMIN = b"SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


async def snapshot_floor(conn: AsyncConnection[Any]) -> SyncCursor:
    """A fresh cursor: run it *before* the reads it covers (an earlier snapshot's xmin is never
    above a later one's, so the covered reads see everything below it)."""
    cur = await conn.execute(_XMIN, prepare=True)
    row = await cur.fetchone()
    assert row is not None
    return SyncCursor(int(row[0]), time.time())


async def current_cursor(pool: AsyncConnectionPool) -> str:
    async with pool.connection() as conn:
        return (await snapshot_floor(conn)).encode()


class DeltaSource:
    """One tracked table of a service: ``columns`` is the service's own select list (the lean
    read's), ``key`` its id column. Build it once at import: the statements are composed here."""

    __slots__ = ("entity", "gone_sql", "items_sql", "key", "table")

    def __init__(self, *, table: str, entity: str, columns: sql.Composable, key: str = "id"):
        self.table, self.entity, self.key = table, entity, key
        key_text = sql.SQL("{}::text").format(sql.Identifier(key))
        where = sql.SQL(
            "user_id = %(user_id)s AND change_xid >= %(floor)s "
            "AND (change_xid, {key}) > (%(after_xid)s, %(after_key)s)"
        )
        self.items_sql = (
            sql.SQL(
                "SELECT change_xid, {key}, {columns} FROM {table} WHERE {where} "
                "ORDER BY change_xid, {key} LIMIT %(limit)s"
            )
            .format(
                key=key_text,
                columns=columns,
                table=sql.Identifier(table),
                where=where.format(key=key_text),
            )
            .as_bytes()
        )
        self.gone_sql = (
            sql.SQL(
                "SELECT change_xid, item_id FROM {tombstones} "
                "WHERE entity = %(entity)s AND {where} ORDER BY change_xid, item_id "
                "LIMIT %(limit)s"
            )
            .format(
                tombstones=sql.Identifier(TOMBSTONES),
                where=where.format(key=sql.Identifier("item_id")),
            )
            .as_bytes()
        )


@dataclass(frozen=True, slots=True)
class Delta:
    """Changed rows (the service's columns, in change order), deleted keys, the next cursor."""

    rows: list[tuple[Any, ...]]
    deleted: list[str]
    cursor: str
    has_more: bool


async def read_delta(
    pool: AsyncConnectionPool,
    source: DeltaSource,
    *,
    user_id: UUID,
    cursor: SyncCursor,
    limit: int,
) -> Delta:
    after_xid, after_key = cursor.after if cursor.after is not None else (-1, "")
    params = {
        "user_id": user_id,
        "entity": source.entity,
        "floor": cursor.floor,
        "after_xid": after_xid,
        "after_key": after_key,
        "limit": limit + 1,
    }
    async with pool.connection() as conn:
        fresh = await snapshot_floor(conn)
        rows = await (await conn.execute(source.items_sql, params, prepare=True)).fetchall()
        gone = await (await conn.execute(source.gone_sql, params, prepare=True)).fetchall()
    return assemble_delta(cursor, fresh, rows, gone, limit)


async def read_delta_entities(
    pool: AsyncConnectionPool,
    session: AsyncSession,
    source: DeltaSource,
    model: Any,
    *,
    user_id: UUID,
    cursor: SyncCursor,
    limit: int,
) -> tuple[list[Any], Delta]:
    """``read_delta`` for a source that selects only ``id``, then the ORM rows through the
    session (for aggregates whose reads go through the ORM), in change order. A row deleted
    between the two reads is left out here; its tombstone comes with the next delta."""
    delta = await read_delta(pool, source, user_id=user_id, cursor=cursor, limit=limit)
    ids = [row[0] for row in delta.rows]
    if not ids:
        return [], delta
    stmt = select(model).where(model.user_id == user_id, model.id.in_(ids))
    found = {row.id: row for row in (await session.execute(stmt)).scalars()}
    return [found[i] for i in ids if i in found], delta


def assemble_delta(
    cursor: SyncCursor,
    fresh: SyncCursor,
    rows: Sequence[tuple[Any, ...]],
    gone: Sequence[tuple[Any, ...]],
    limit: int,
) -> Delta:
    """Merge items and tombstones in (change_xid, key) order, cut at ``limit``, next cursor."""
    merged: list[tuple[int, str, bool, tuple[Any, ...]]] = [(r[0], r[1], False, r) for r in rows]
    merged += [(g[0], g[1], True, g) for g in gone]
    merged.sort(key=lambda m: (m[0], m[1]))
    has_more = len(merged) > limit
    page = merged[:limit]
    # The floor to hand out when this delta is complete: the one taken on its first page.
    if cursor.after is not None and cursor.next_floor is not None:
        done = SyncCursor(cursor.next_floor, cursor.next_floor_at or fresh.floor_at)
    else:
        done = fresh
    if has_more:
        last = page[-1]
        next_cursor = replace(
            cursor,
            after=(last[0], last[1]),
            next_floor=done.floor,
            next_floor_at=done.floor_at,
        )
    else:
        next_cursor = done
    return Delta(
        rows=[m[3][2:] for m in page if not m[2]],
        deleted=[m[1] for m in page if m[2]],
        cursor=next_cursor.encode(),
        has_more=has_more,
    )


# ------------------------------------------------------------------ response shapes


class SyncPage(Page[T], Generic[T]):
    """A list page plus the cursor a client starts delta sync from."""

    cursor: str = Field(description="pass as `updatedSince` to get what changes after this list")


class Changes(BaseModel, Generic[T]):
    """The answer to ``updatedSince``: changed items, deleted ids, the next cursor."""

    items: list[T] = Field(description="items created or changed since the cursor")
    deleted: list[str] = Field(description="ids of items deleted since the cursor")
    cursor: str = Field(description="the next `updatedSince`")
    has_more: bool = Field(
        alias="hasMore", description="more changes: call again with `cursor` at once"
    )


def changes_body(items: list[Any], delta: Delta) -> dict[str, Any]:
    """The ``Changes`` JSON as a dict (the lean paths encode it with orjson themselves)."""
    return {
        "items": items,
        "deleted": delta.deleted,
        "cursor": delta.cursor,
        "hasMore": delta.has_more,
    }


# ------------------------------------------------------------------ pruning


async def prune_tombstones(session: AsyncSession, *, older_than: timedelta) -> int:
    """Forget deletions older than ``older_than`` (in the caller's transaction)."""
    table = tombstones_table(MetaData())
    result = await session.execute(
        delete(table).where(table.c.deleted_at < func.now() - older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# One extra day beyond the cursors' retention: a cursor just inside it (service clock) never
# meets a tombstone pruned early (database clock).
PRUNE_MARGIN = timedelta(days=1)


async def prune_tombstones_periodically(ctx: WorkerContext) -> None:
    """A ``run_worker`` job: prune the service's tombstones every ``sync_prune_interval_s``."""
    settings = ctx.settings
    retention = timedelta(days=settings.sync_tombstone_retention_days) + PRUNE_MARGIN
    while not ctx.stop.is_set():
        try:
            async with ctx.sessionmaker() as session, session.begin():
                pruned = await prune_tombstones(session, older_than=retention)
            if pruned:
                log.info("tombstones pruned", extra={"pruned": pruned})
        except Exception:
            log.exception("tombstone pruning failed; retrying next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stop.wait(), timeout=settings.sync_prune_interval_s)
