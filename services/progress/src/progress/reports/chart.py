"""The weekly chart, rendered server-side with matplotlib (Agg canvas, no display, no pyplot
global state: safe to call from worker threads)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def render_week_png(
    *,
    days: Sequence[date],
    weights: Sequence[float | None],
    trends: Sequence[float | None],
    kcal_in: Sequence[float | None],
    kcal_out: Sequence[float],
    target_kcal: float | None,
    title: str,
) -> bytes:
    fig = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = list(range(len(days)))
    labels = [d.strftime("%a %d") for d in days]
    wx = [i for i, w in zip(x, weights, strict=True) if w is not None]
    top.plot(wx, [w for w in weights if w is not None], "o", color="#888888", label="weight")
    tx = [i for i, t in zip(x, trends, strict=True) if t is not None]
    top.plot(tx, [t for t in trends if t is not None], "-", color="#d62728", label="trend")
    top.set_ylabel("kg")
    top.legend(loc="upper right")
    top.grid(alpha=0.3)
    top.set_title(title)
    width = 0.4
    bottom.bar([i - width / 2 for i in x], [k or 0 for k in kcal_in], width, label="kcal in")
    bottom.bar([i + width / 2 for i in x], kcal_out, width, label="kcal out (workouts)")
    if target_kcal is not None:
        bottom.axhline(target_kcal, color="#2ca02c", linestyle="--", label="target")
    bottom.set_ylabel("kcal")
    bottom.set_xticks(x, labels)
    bottom.legend(loc="upper right")
    bottom.grid(alpha=0.3, axis="y")
    # Fixed margins: tight_layout costs an extra draw (~40 % of the render here).
    fig.subplots_adjust(left=0.1, right=0.97, top=0.93, bottom=0.08, hspace=0.15)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
