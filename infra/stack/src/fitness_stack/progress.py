"""Step-by-step progress lines: `[3/9] starting redis … ok (0.2s)`."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = sys.stdout) -> None:
        self.total = total
        self.stream = stream
        self._n = 0
        self._t0 = 0.0

    def begin(self, label: str) -> None:
        self._n += 1
        self._t0 = time.monotonic()
        self._write(f"[{self._n}/{self.total}] {label} … ")

    def end(self, status: str = "ok") -> float:
        elapsed = time.monotonic() - self._t0
        self._write(f"{status} ({elapsed:.1f}s)\n")
        return elapsed

    def line(self, text: str) -> None:
        self._write(text + "\n")

    def _write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()
