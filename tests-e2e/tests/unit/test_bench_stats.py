"""The benchmark's statistics: nearest-rank percentiles and error accounting."""

from __future__ import annotations

import math

from e2e.bench import percentile, summarise


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50.0
    assert percentile(values, 90) == 90.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_tail_is_not_averaged_away() -> None:
    # 98 fast answers and 2 stalls: p99 must show the stall.
    values = sorted([0.01] * 98 + [2.0, 2.0])
    assert percentile(values, 50) == 0.01
    assert percentile(values, 99) == 2.0


def test_summary_counts_errors_and_statuses() -> None:
    res = summarise("s", "closed", 4, None, 2.0, [0.1, 0.2, 0.3, 0.4], [200, 200, 429, 0])
    assert res.requests == 4
    assert res.errors == 2  # the 429 and the connection failure (status 0)
    assert res.status_counts == {"200": 2, "429": 1, "0": 1}
    assert res.rps == 2.0
    assert res.p50_ms == 200.0
    assert res.max_ms == 400.0
