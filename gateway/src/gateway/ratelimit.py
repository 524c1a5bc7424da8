"""Rate limits in Redis: GCRA in one Lua script, atomic across every key a request touches.

GCRA (generic cell rate algorithm) keeps one timestamp per key — the "theoretical arrival time"
(TAT) — so a limit of N per S seconds costs one small string in Redis and allows a burst of N,
then one request every S/N seconds. The script uses Redis' own clock (``TIME``) so gateway
replicas with skewed clocks agree. Redis 6.2 compatible (no Redis 7 commands).

The same script first checks the JWT denylist key and the user's token-revocation mark
(``fitness_platform.auth``), so an authenticated request costs one round trip; a revoked token
consumes no quota.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

from fitness_platform.redis import hot_pipe
from gateway.routes import RateRule

log = logging.getLogger("gateway.ratelimit")

KEY_PREFIX = "rl:"
_MAX_EMAIL = 320  # RFC 3696 errata: 64 + 1 + 255

# KEYS[1] = denylist key or "" ; KEYS[2] = user revocation key or "" ; KEYS[3..] = limit keys.
# ARGV[1] = the token's iat (refused when below the user's mark); then for each limit key:
# emission interval ms, period ms (= burst tolerance + interval).
# Returns {denied, allowed, limit_index (1-based, the tightest/rejecting key), remaining,
#          reset_ms, retry_after_ms}.
_GCRA_LUA = """
if KEYS[1] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then
  return {1, 0, 0, 0, 0, 0}
end
if KEYS[2] ~= '' then
  local mark = redis.call('GET', KEYS[2])
  if mark and tonumber(ARGV[1]) < tonumber(mark) then
    return {1, 0, 0, 0, 0, 0}
  end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS - 2
local tats = {}
local best, best_remaining, best_reset = 0, -1, 0
for i = 1, n do
  local interval = tonumber(ARGV[2 * i])
  local period = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i + 2]) or '0')
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - period
  if allow_at > now then
    return {0, 0, i, 0, tat - now, allow_at - now}
  end
  tats[i] = new_tat
  local remaining = math.floor((period - (new_tat - now)) / interval)
  if best_remaining < 0 or remaining < best_remaining then
    best, best_remaining, best_reset = i, remaining, new_tat - now
  end
end
for i = 1, n do
  redis.call('SET', KEYS[i + 2], string.format('%d', tats[i]), 'PX', math.max(1, tats[i] - now))
end
return {0, 1, best, best_remaining, best_reset, 0}
"""


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    period_s: float

    @property
    def interval_ms(self) -> int:
        return max(1, round(self.period_s * 1000 / self.count))

    @property
    def period_ms(self) -> int:
        # interval * count, so a full burst of exactly `count` fits.
        return self.interval_ms * self.count


def parse_rate(value: str) -> Rate | None:
    """``"10/60"`` -> 10 per 60 s; ``"off"`` -> no limit. Raises ValueError on anything else."""
    text = value.strip().lower()
    if text in ("off", "none", "0"):
        return None
    count_s, sep, period_s = text.partition("/")
    try:
        count, period = int(count_s), float(period_s)
    except ValueError:
        raise ValueError(
            f"rate {value!r} must look like 'N/SECONDS' (e.g. '10/60') or 'off'"
        ) from None
    if not sep or count < 1 or not (0 < period <= 86_400 * 7):
        raise ValueError(f"rate {value!r} must have N >= 1 and 0 < SECONDS <= 604800")
    return Rate(count, period)


def account_digest(email: str) -> str:
    """Key part for an account: the normalised email, hashed so Redis holds no addresses."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def account_email(body: bytes, content_type: bytes | None) -> str | None:
    """The account a login/register/reset targets: ``email`` in a JSON body, lower-cased."""
    if not body or b"json" not in (content_type or b"application/json"):
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    email = data.get("email") if isinstance(data, dict) else None
    if not isinstance(email, str) or not email.strip() or len(email) > _MAX_EMAIL:
        return None
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class Limit:
    key: str
    rate: Rate
    scope: str  # "ip" | "account" | "user" — for the rejection metric


def build_limits(
    *,
    rule: RateRule,
    rates: dict[tuple[RateRule, str], Rate | None],
    client_ip: str,
    user_id: str | None,
    email: str | None,
) -> list[Limit]:
    """The keys one request counts against. Auth endpoints: per IP and per account;
    everything else: per user when authenticated, per IP when anonymous."""
    out: list[Limit] = []

    def add(scope: str, ident: str) -> None:
        rate = rates.get((rule, scope))
        if rate is not None:
            out.append(Limit(f"{KEY_PREFIX}{rule.value}:{scope}:{ident}", rate, scope))

    if rule is RateRule.DEFAULT:
        if user_id is not None:
            add("user", user_id)
        else:
            add("ip", client_ip)
    else:
        add("ip", client_ip)
        if email:
            add("account", account_digest(email))
    return out


def rates_from_settings(settings: Any) -> dict[tuple[RateRule, str], Rate | None]:
    return {
        (RateRule.LOGIN, "ip"): parse_rate(settings.rate_login_per_ip),
        (RateRule.LOGIN, "account"): parse_rate(settings.rate_login_per_account),
        (RateRule.REGISTER, "ip"): parse_rate(settings.rate_register_per_ip),
        (RateRule.REGISTER, "account"): parse_rate(settings.rate_register_per_account),
        (RateRule.PASSWORD_RESET, "ip"): parse_rate(settings.rate_password_reset_per_ip),
        (RateRule.PASSWORD_RESET, "account"): parse_rate(settings.rate_password_reset_per_account),
        (RateRule.DEFAULT, "user"): parse_rate(settings.rate_default_per_user),
        (RateRule.DEFAULT, "ip"): parse_rate(settings.rate_default_per_ip),
    }


class TokenRef(Protocol):
    """What the revocation check needs of a verified token (``gateway.auth.Principal``)."""

    @property
    def denylist_key(self) -> str: ...
    @property
    def user_revoked_key(self) -> str: ...
    @property
    def issued_at(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Decision:
    denied: bool  # the token is revoked (jti denylisted, or issued before the user's mark)
    allowed: bool
    limit: Limit | None  # the tightest key (or the one that rejected)
    remaining: int
    reset_s: int
    retry_after_s: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """IETF draft RateLimit header fields (draft-ietf-httpapi-ratelimit-headers)."""
        if self.limit is None:
            return []
        out = [
            (b"ratelimit-limit", str(self.limit.rate.count).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset_s).encode()),
        ]
        if not self.allowed:
            out.append((b"retry-after", str(self.retry_after_s).encode()))
        return out


ALLOW = Decision(denied=False, allowed=True, limit=None, remaining=0, reset_s=0, retry_after_s=0)


class RateLimiter:
    def __init__(self, redis: Redis, *, timeout_s: float = 0.5) -> None:
        self._redis = redis
        # A hung (not down) Redis must not hold requests: bound the whole round trip.
        self._timeout_s = timeout_s
        self._sha = hashlib.sha1(_GCRA_LUA.encode()).hexdigest()  # noqa: S324 - Redis script id

    async def check(self, limits: Sequence[Limit], *, token: TokenRef | None = None) -> Decision:
        """One atomic round trip; raises RedisError when Redis cannot answer (caller decides)."""
        if not limits and token is None:
            return ALLOW
        keys = [token.denylist_key, token.user_revoked_key] if token else ["", ""]
        keys += [lim.key for lim in limits]
        argv: list[int] = [token.issued_at if token else 0]
        for lim in limits:
            argv += [lim.rate.interval_ms, lim.rate.period_ms]
        pipe = hot_pipe(self._redis)
        async with asyncio.timeout(self._timeout_s):
            if pipe is not None:  # the multiplexed connection: a fraction of redis-py's CPU
                try:
                    raw = await pipe.execute("EVALSHA", self._sha, len(keys), *keys, *argv)
                except NoScriptError:
                    raw = await pipe.execute("EVAL", _GCRA_LUA, len(keys), *keys, *argv)
            else:
                try:
                    raw = await self._redis.evalsha(self._sha, len(keys), *keys, *argv)
                except NoScriptError:
                    raw = await self._redis.eval(_GCRA_LUA, len(keys), *keys, *argv)
        denied, allowed, idx, remaining, reset_ms, retry_ms = (int(x) for x in raw)
        if denied:
            return Decision(True, False, None, 0, 0, 0)
        limit = limits[idx - 1] if idx else None
        return Decision(
            denied=False,
            allowed=bool(allowed),
            limit=limit,
            remaining=max(0, remaining),
            reset_s=math.ceil(reset_ms / 1000),
            retry_after_s=max(1, math.ceil(retry_ms / 1000)) if not allowed else 0,
        )


__all__ = [
    "ALLOW",
    "Decision",
    "Limit",
    "Rate",
    "RateLimiter",
    "RedisError",
    "account_digest",
    "account_email",
    "build_limits",
    "parse_rate",
    "rates_from_settings",
]
