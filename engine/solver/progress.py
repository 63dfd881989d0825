"""What a running solve says: heartbeats at least every second, and one report per stage.

The heartbeat thread also stops a running LP/MIP when the budget runs out
(pywraplp's `InterruptSolve`), so a cancel or the deadline is honoured within a
fraction of a second even inside a long model solve.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel

from engine.solver.budget import Budget

log = logging.getLogger("engine.solver")
log.addHandler(logging.NullHandler())  # a library: the application decides where the solver's log goes
HEARTBEAT_S = 0.5


class BestSoFar(Protocol):
    """What the heartbeat reads of the best plan: its score (open weeks, drivers, part-timers, …) under a lock."""

    lock: threading.Lock
    score: tuple[int, ...] | None


@dataclass(frozen=True)
class Heartbeat:
    """What a solve reports while it runs: the best plan so far, the bound, the phase."""

    phase: str
    drivers: int | None
    pt: int | None
    standins: int
    bound: int
    elapsed: float

    def as_json(self) -> dict[str, object]:
        return {"phase": self.phase, "drivers": self.drivers, "pt": self.pt, "standins": self.standins, "bound": self.bound, "elapsed_s": self.elapsed}


Progress = Callable[[Heartbeat], None]


class StageReport(BaseModel):
    """One stage of a solve: what it ended with, how long it took, what it found."""

    name: str
    status: str  # DONE | OPTIMAL | FEASIBLE | SKIPPED | STOPPED | TIME_LIMIT | NO_PLAN
    seconds: float
    drivers: int | None = None
    pt: int | None = None
    note: str = ""


class Heart:
    """A thread that reports progress every HEARTBEAT_S and interrupts a running LP/MIP when the budget is out."""

    def __init__(self, best: BestSoFar, budget: Budget, progress: Progress | None) -> None:
        self.best, self.budget, self.progress = best, budget, progress
        self.bound = 0
        self.phase = "blocks"
        self.interrupt: Callable[[], object] | None = None
        self._stop = threading.Event()
        self._beat_lock = threading.Lock()
        self._last = 0.0
        self._thread = threading.Thread(target=self._run, name="solver-heartbeat", daemon=True)

    def __enter__(self) -> Heart:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> None:
        if self.progress is None:
            return
        with self.best.lock:
            score = self.best.score
        hb = Heartbeat(self.phase, score[1] if score else None, score[2] if score else None, score[0] if score else 0, self.bound,
                       round(self.budget.elapsed(), 3))
        with self._beat_lock:  # the stages and this thread both beat: one at a time, in order
            self._last = time.monotonic()
            self.progress(hb)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            if self.budget.out() and self.interrupt is not None:
                self.interrupt()
                self.interrupt = None
            if time.monotonic() - self._last >= HEARTBEAT_S:
                self.beat()


class Stages:
    """Runs and records the stages of one solve."""

    def __init__(self, heart: Heart, best: BestSoFar) -> None:
        self.heart, self.best = heart, best
        self.reports: list[StageReport] = []

    def run(self, name: str, fn: Callable[[], tuple[str, str]]) -> str:
        """Run a stage (returns status and note), record it with the best plan after it."""
        self.heart.phase = name
        started = time.monotonic()
        status, note = fn()
        score = self.best.score
        report = StageReport(name=name, status=status, seconds=round(time.monotonic() - started, 3),
                             drivers=score[1] if score else None, pt=score[2] if score else None, note=note)
        self.reports.append(report)
        log.info("stage %s: %s in %.2fs (drivers %s, pt %s) %s", name, status, report.seconds, report.drivers, report.pt, note)
        self.heart.beat()
        return status

    def skip(self, name: str, note: str) -> None:
        self.reports.append(StageReport(name=name, status="SKIPPED", seconds=0.0, note=note))
