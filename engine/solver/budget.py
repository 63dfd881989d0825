"""The deadline and the cancel request every solver phase checks, and what stopped it.

Phases run on deterministic budgets (node limits, sweep counts, CP-SAT
deterministic time); this wall-clock deadline is only a safety cap. `out()` is
cheap enough to call inside loops, so a cancel or the cap is honoured within
well under a second.
"""

from __future__ import annotations

import time
from typing import Protocol


class CancelToken(Protocol):
    def is_set(self) -> bool: ...


class Budget:
    def __init__(self, time_limit: float, cancel: CancelToken | None = None, reserve: float = 0.0) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + max(0.0, time_limit - reserve)
        self.cancel = cancel
        self.wall_fired = False
        self.cancelled = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def cancel_requested(self) -> bool:
        """Only the cancel request (the first plan is finished whatever the clock says)."""
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
        return self.cancelled

    def out(self) -> bool:
        """True once the caller must stop: cancelled, or the wall-clock cap reached (recorded)."""
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
        if time.monotonic() >= self.deadline:
            self.wall_fired = True
        return self.cancelled or self.wall_fired
