"""Redis cache of /nutrition/calculate results, keyed by a hash of the canonical input.

The key carries a version so a deploy that changes the formulas never serves old results; the
TTL is short because the value is cheap to recompute. Redis trouble only costs a recompute.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import orjson
from prometheus_client import Counter
from pydantic import ValidationError

from nutrition.calculations.schemas import CalculationInput, CalculationResult

log = logging.getLogger(__name__)

CACHE_LOOKUPS = Counter(
    "nutrition_calculation_cache_total", "Calculation cache lookups", ["result"]
)


def cache_key(data: CalculationInput, version: str) -> str:
    canonical = orjson.dumps(data.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return f"nutrition:calc:{version}:{hashlib.sha256(canonical).hexdigest()}"


async def get(redis: Any, key: str) -> CalculationResult | None:
    if redis is None:
        return None
    try:
        raw = await redis.get(key)
    except Exception as exc:
        log.warning("calculation cache read failed", extra={"error": repr(exc)})
        CACHE_LOOKUPS.labels("error").inc()
        return None
    if raw is None:
        CACHE_LOOKUPS.labels("miss").inc()
        return None
    try:
        result = CalculationResult.model_validate_json(raw)
    except ValidationError:
        CACHE_LOOKUPS.labels("miss").inc()
        return None
    CACHE_LOOKUPS.labels("hit").inc()
    return result


async def put(redis: Any, key: str, result: CalculationResult, ttl_s: int) -> None:
    if redis is None:
        return
    try:
        await redis.set(key, result.model_dump_json(by_alias=True), ex=ttl_s)
    except Exception as exc:
        log.warning("calculation cache write failed", extra={"error": repr(exc)})
