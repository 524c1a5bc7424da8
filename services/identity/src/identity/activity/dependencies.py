"""Dependencies of the metrics route: the optional Redis cache and the validated day range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator
from redis.asyncio import Redis

from fitness_platform.problems import ProblemError

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
DEFAULT_DAYS = 30
# The maths reads every activity row of the range plus 29 days: keep a request bounded.
MAX_DAYS = 366
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")


def _iso_only(value: Any) -> Any:
    # pydantic's lax mode also reads "0" as a Unix time; the API documents YYYY-MM-DD only.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_only)]


@dataclass(frozen=True, slots=True)
class DayRange:
    start: date
    end: date


def _invalid(detail: str, path: str) -> ProblemError:
    return ProblemError(
        422,
        detail=detail,
        type_slug="validation-error",
        extra={"errors": [{"path": path, "message": detail, "type": "value_error"}]},
    )


async def day_range(
    from_: Annotated[
        IsoDate | None,
        Query(alias="from", description=f"first UTC day (default: `to` - {DEFAULT_DAYS - 1})"),
    ] = None,
    to: Annotated[
        date | None, Query(description="last UTC day, inclusive (default: today)")
    ] = None,
) -> DayRange:
    end = to or datetime.now(UTC).date()
    # The default `from` is computed from `to`: `to=0001-01-01` underflowed the date type (an
    # OverflowError, a 500, found by schemathesis); clamped, the bounds check below answers 422.
    start = from_ or max(EARLIEST, end) - timedelta(days=DEFAULT_DAYS - 1)
    for value, path in ((end, "query.to"), (start, "query.from")):
        if not EARLIEST <= value <= LATEST:
            raise _invalid(f"Days must be between {EARLIEST} and {LATEST}.", path)
    if start > end:
        raise _invalid("`from` must not be after `to`.", "query.from")
    if (end - start).days + 1 > MAX_DAYS:
        raise _invalid(f"The range may span at most {MAX_DAYS} days.", "query.from")
    return DayRange(start=start, end=end)


async def optional_redis(request: Request) -> Redis | None:
    redis: Redis | None = request.app.state.redis
    return redis


DayRangeDep = Annotated[DayRange, Depends(day_range)]
OptionalRedisDep = Annotated[Redis | None, Depends(optional_redis)]
