"""The user's zone and local day, from the identity.user read model."""

from __future__ import annotations

import time
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
# The hot summary read needs only the zone to place "today": remembered briefly per process (a
# zone change shows within a minute), which saves a round trip per request.
ZONE_TTL_S = 60.0
ZONE_CACHE_SIZE = 10_000
_zones: dict[UUID, tuple[float, ZoneInfo]] = {}


async def profile(session: AsyncSession, user_id: UUID) -> UserProfile | None:
    return await get_profile(session, user_id)


def today_in(zone: tzinfo, now: datetime | None = None) -> date:
    return local_date(now or datetime.now(UTC), zone)


def latest_possible_today(p: UserProfile | None, now: datetime | None = None) -> date:
    return today_in(p.zone if p else LATEST_ZONE, now)


async def zone_on_pool(pool: AsyncConnectionPool, user_id: UUID) -> ZoneInfo:
    now = time.monotonic()
    cached = _zones.get(user_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    async with pool.connection() as conn:
        row = await (await conn.execute(_ZONE_SQL, (user_id,), prepare=True)).fetchone()
    zone = zone_or_utc(row[0] if row else None)
    if len(_zones) >= ZONE_CACHE_SIZE:
        _zones.clear()  # crude but bounded; refills within a minute
    _zones[user_id] = (now + ZONE_TTL_S, zone)
    return zone
