"""The GCRA Lua script against a real Redis (6.2 locally: no Redis 7 commands allowed)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from fitness_platform.auth import revoke_user_tokens
from fitness_platform.redis import create_redis
from gateway.auth import Principal
from gateway.ratelimit import Limit, Rate, RateLimiter


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = create_redis(redis_url)
    yield client
    await client.aclose()


def _key() -> str:
    return f"rl:test:{uuid.uuid4().hex}"


async def test_burst_then_refusal_with_retry_after(redis: Redis) -> None:
    limiter = RateLimiter(redis)
    limit = Limit(_key(), Rate(3, 60), "ip")
    remaining = []
    for _ in range(3):
        decision = await limiter.check([limit])
        assert decision.allowed
        remaining.append(decision.remaining)
    assert remaining == [2, 1, 0]
    refused = await limiter.check([limit])
    assert not refused.allowed
    assert refused.limit == limit
    # One request's worth of time (60 s / 3) must pass before the next one.
    assert 1 <= refused.retry_after_s <= 20
    assert refused.reset_s <= 60
    ttl = await redis.pttl(limit.key)
    assert 0 < ttl <= 60_000  # keys expire once the bucket is full again


async def test_multi_key_check_is_all_or_nothing(redis: Redis) -> None:
    limiter = RateLimiter(redis)
    roomy = Limit(_key(), Rate(100, 60), "ip")
    tight = Limit(_key(), Rate(1, 60), "account")
    assert (await limiter.check([roomy, tight])).allowed
    before = await redis.get(roomy.key)
    refused = await limiter.check([roomy, tight])
    assert not refused.allowed
    assert refused.limit == tight
    # The refused request consumed nothing from the key that would have allowed it.
    assert await redis.get(roomy.key) == before


async def test_tightest_key_is_reported(redis: Redis) -> None:
    limiter = RateLimiter(redis)
    a = Limit(_key(), Rate(10, 60), "ip")
    b = Limit(_key(), Rate(2, 60), "account")
    decision = await limiter.check([a, b])
    assert decision.limit == b
    assert decision.remaining == 1


async def test_denylisted_token_consumes_no_quota(redis: Redis) -> None:
    limiter = RateLimiter(redis)
    token = Principal(str(uuid.uuid4()), ("user",), uuid.uuid4().hex, int(time.time()))
    limit = Limit(_key(), Rate(5, 60), "user")
    assert not (await limiter.check([limit], token=token)).denied
    await redis.set(f"auth:deny:{token.jti}", "1", ex=60)
    decision = await limiter.check([limit], token=token)
    assert decision.denied
    assert not decision.allowed
    assert (await limiter.check([limit])).remaining == 3  # 2 counted, not 3


async def test_tokens_issued_before_the_users_revocation_mark_are_refused(redis: Redis) -> None:
    limiter = RateLimiter(redis)
    user_id = uuid.uuid4()
    now = int(time.time())
    old = Principal(str(user_id), ("user",), uuid.uuid4().hex, now - 5)
    limit = Limit(_key(), Rate(5, 60), "user")
    assert not (await limiter.check([limit], token=old)).denied
    await revoke_user_tokens(redis, user_id, ttl_s=60)  # the platform helper identity uses
    assert (await limiter.check([limit], token=old)).denied
    mark = int(await redis.get(f"auth:user-revoked:{user_id}"))
    fresh = Principal(str(user_id), ("user",), uuid.uuid4().hex, mark)  # minted at the mark
    assert not (await limiter.check([limit], token=fresh)).denied
    other = Principal(str(uuid.uuid4()), ("user",), uuid.uuid4().hex, now - 5)
    assert not (await limiter.check([limit], token=other)).denied


async def test_script_reloaded_after_script_flush(redis: Redis) -> None:
    limiter = RateLimiter(redis)
    limit = Limit(_key(), Rate(5, 60), "ip")
    await redis.script_flush()
    assert (await limiter.check([limit])).allowed
