"""Use cases of activity: record an active day; engagement metrics for the admin dashboard."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from identity.activity import repository
from identity.activity.schemas import EngagementMetrics
from identity.domain import engagement

log = logging.getLogger(__name__)

CACHE_KEY = "identity:admin:metrics:v1:{start}:{end}"


async def record_activity(session: AsyncSession, user_id: uuid.UUID, day: date) -> bool:
    """Mark ``user_id`` active on the UTC ``day``, in the caller's transaction (idempotent).

    Called by login/refresh (identity.auth.service) and by the domain-event consumer. Returns
    True when this is the user's first activity of that day (a row was added): login/refresh
    publish ``identity.user.logged_in.v1`` only then, one activity event per user per day.
    """
    return await repository.mark_active(session, user_id=user_id, day=day)


async def engagement_metrics(
    *,
    session: AsyncSession,
    redis: Redis | None,
    start: date,
    end: date,
    cache_ttl_s: int,
) -> EngagementMetrics:
    """Metrics for ``start..end``, cached briefly in Redis (the maths reads every activity row)."""
    key = CACHE_KEY.format(start=start.isoformat(), end=end.isoformat())
    cached = await _cache_get(redis, key)
    if cached is not None:
        return EngagementMetrics.model_validate_json(cached)
    activity = await repository.activity_between(
        session, first=start - timedelta(days=engagement.LOOKBACK_DAYS), last=end
    )
    signups = await repository.signups_between(session, first=start, last=end)
    result = EngagementMetrics.from_domain(
        engagement.compute(signups=signups, activity=activity, start=start, end=end)
    )
    await _cache_set(redis, key, result.model_dump_json(by_alias=True), cache_ttl_s)
    return result


async def _cache_get(redis: Redis | None, key: str) -> str | None:
    if redis is None:
        return None
    try:
        value = await redis.get(key)
    except RedisError:
        # A cache, not a dependency: compute from the database when Redis is unavailable.
        log.warning("metrics cache read failed", exc_info=True)
        return None
    return value if isinstance(value, str) else None


async def _cache_set(redis: Redis | None, key: str, value: str, ttl_s: int) -> None:
    if redis is None or ttl_s <= 0:
        return
    try:
        await redis.set(key, value, ex=ttl_s)
    except RedisError:
        log.warning("metrics cache write failed", exc_info=True)
