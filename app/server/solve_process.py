"""The engine's solve in a child process of the server: the solver's Python and native phases then
hold no lock the request threads need, so reads stay fast while a week is solved. Only the engine
runs there (no store access: DuckDB allows one writer process per file); the parent keeps the
lease, writes every state and relays heartbeats and cancellation across a manager queue and event.
The children run at a lower CPU priority (`NICE`): on a small host the solver then takes the cores
the request threads leave idle instead of making them wait (the solve only gets a bit slower)."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.models import Forecast
    from engine.rules import RuleConfig
    from engine.solver.api import CancelToken, Progress, SolveResult


NICE = 10


def _start_child() -> None:
    """Lower the priority first, then load the solver (OR-Tools: a second of CPU) at that priority."""
    os.nice(NICE)
    import engine.solver.api  # noqa: F401


class _Token:
    def __init__(self, event: Any) -> None:
        self._event = event

    def is_set(self) -> bool:
        return bool(self._event.is_set())


def _solve(forecast: Forecast, seed: int, time_limit: float, config: RuleConfig, beats: Any, cancel: Any) -> SolveResult:
    from engine.solver.api import solve

    return solve(forecast, seed=seed, time_limit=time_limit, config=config,
                 progress=lambda beat: beats.put(beat), cancel=_Token(cancel))


class ProcessSolver:
    """A drop-in for `engine.solver.api.solve` that runs it in one of `workers` spawned processes."""

    def __init__(self, workers: int) -> None:
        ctx = mp.get_context("spawn")  # never fork a process that has threads
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_child)
        self._manager = ctx.Manager()

    def __call__(self, forecast: Forecast, *, seed: int, time_limit: float, config: RuleConfig,
                 progress: Progress | None = None, cancel: CancelToken | None = None) -> SolveResult:
        beats, stop = self._manager.Queue(), self._manager.Event()
        future = self._pool.submit(_solve, forecast, seed, time_limit, config, beats, stop)
        done = threading.Event()

        def relay() -> None:
            while not done.is_set() or not beats.empty():
                if cancel is not None and cancel.is_set():
                    stop.set()
                try:
                    beat = beats.get(timeout=0.2)
                except Exception:  # noqa: BLE001 - queue.Empty across the manager
                    continue
                if progress is not None:
                    progress(beat)

        thread = threading.Thread(target=relay, name="solve-relay", daemon=True)
        thread.start()
        try:
            return future.result()
        finally:
            done.set()
            thread.join(timeout=5)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._manager.shutdown()
