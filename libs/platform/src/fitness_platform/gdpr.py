"""GDPR erasure shared by every service: delete a user's rows from every table that names them.

On ``identity.user.deleted.v1`` (``fitness_platform.events.register_user_deletion_handler``)
a service calls :func:`erase_user_rows` with its own metadata; tables are found by a
``user_id`` column, children before parents, so a new table is covered without code.
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy import MetaData, delete
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.outbox import OUTBOX
from fitness_platform.sync import TOMBSTONES

log = logging.getLogger("fitness_platform.gdpr")


async def erase_user_rows(
    session: AsyncSession,
    metadata: MetaData,
    user_id: UUID,
    *,
    column: str = "user_id",
    keep: frozenset[str] = frozenset(),
) -> dict[str, int]:
    """Delete every row of ``user_id`` in the caller's transaction; returns rows per table.

    Tombstones (``fitness_platform.sync``) go after every other table, their own included.
    ``keep`` names tables to leave alone (e.g. an append-only audit log of ids). Published
    outbox rows keyed by the user go too: history the service no longer needs to keep.
    """
    counts: dict[str, int] = {}
    # Delta sync's tombstones last: deleting the tracked rows writes a tombstone for each.
    tables = sorted(reversed(metadata.sorted_tables), key=lambda t: t.name == TOMBSTONES)
    for table in tables:
        if column in table.c and table.name not in keep:
            result = await session.execute(delete(table).where(table.c[column] == user_id))
            counts[table.name] = int(getattr(result, "rowcount", 0) or 0)
    await session.execute(
        delete(OUTBOX).where(OUTBOX.c.key == str(user_id), OUTBOX.c.published_at.is_not(None))
    )
    log.info("user data erased", extra={"erased_user_id": str(user_id)})
    return counts
