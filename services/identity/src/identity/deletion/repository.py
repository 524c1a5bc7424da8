"""SQL of the hard delete: every row of a purged user, in every table of identity's schema."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text, Uuid

from identity.tables import outbox
from identity.users.models import User, UserStatus

# Tables of this schema with a `user_id` column (our token and email tables reference users with
# ON DELETE CASCADE; any table added later without that is still swept by the catalog query).
_USER_ID_TABLES = text(
    """
    SELECT c.table_name, c.data_type
    FROM information_schema.columns c
    JOIN information_schema.tables t
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema()
      AND c.column_name = 'user_id'
      AND t.table_type = 'BASE TABLE'
      AND c.table_name <> 'users'
    ORDER BY c.table_name
    """
)


async def due_for_purge(session: AsyncSession, *, cutoff: datetime, limit: int) -> list[uuid.UUID]:
    """Lock deactivated users whose grace period ended (other purgers skip them)."""
    stmt = (
        select(User.id)
        .where(User.status == UserStatus.DELETED.value, User.deleted_at <= cutoff)
        .order_by(User.deleted_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def purge(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> None:
    """Delete the users and every row that names them (published outbox rows included)."""
    if not user_ids:
        return
    ids = list(user_ids)
    text_ids = [str(i) for i in ids]
    for table_name, data_type in (await session.execute(_USER_ID_TABLES)).all():
        quoted = session.bind.dialect.identifier_preparer.quote(table_name)  # type: ignore[union-attr]
        if data_type == "uuid":
            stmt = text(f"DELETE FROM {quoted} WHERE user_id = ANY(:ids)").bindparams(  # noqa: S608 - name from the catalog, quoted
                bindparam("ids", ids, type_=ARRAY(Uuid()))
            )
        else:
            stmt = text(f"DELETE FROM {quoted} WHERE user_id::text = ANY(:ids)").bindparams(  # noqa: S608 - name from the catalog, quoted
                bindparam("ids", text_ids, type_=ARRAY(Text()))
            )
        await session.execute(stmt)
    # Published events keyed by the user carry their profile; unpublished ones (the deletion
    # event itself, if Kafka was down for the whole grace period) must still go out.
    await session.execute(
        delete(outbox).where(outbox.c.key.in_(text_ids), outbox.c.published_at.is_not(None))
    )
    await session.execute(delete(User).where(User.id.in_(ids)))
