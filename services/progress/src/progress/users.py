"""The user's zone and local day, from the identity.user read model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession

from fitness_platform.calendar import local_date
from fitness_platform.projections.user_profiles import UserProfile, get_profile, zone_or_utc

# Until the profile event arrives the zone is unknown: the latest zone on Earth (UTC+14) keeps
# "not in the future" from refusing somebody's today.
LATEST_ZONE = timezone(timedelta(hours=14))

_ZONE_SQL = b"SELECT timezone FROM user_profiles WHERE user_id = %s"


async def profile(session: AsyncSession, user_id: UUID) -> UserProfile | None:
    return await get_profile(session, user_id)


def today_in(zone: tzinfo, now: datetime | None = None) -> date:
    return local_date(now or datetime.now(UTC), zone)


def latest_possible_today(p: UserProfile | None, now: datetime | None = None) -> date:
    return today_in(p.zone if p else LATEST_ZONE, now)


async def zone_on_pool(pool: AsyncConnectionPool, user_id: UUID) -> ZoneInfo:
    async with pool.connection() as conn:
        row = await (await conn.execute(_ZONE_SQL, (user_id,), prepare=True)).fetchone()
    return zone_or_utc(row[0] if row else None)
