"""The server's solve queue: at most one worker per core, a queue beyond, progress kept per job.
The engine runs in child processes (app/server/solve_process.py); this process keeps the store writes.

A job remembers its events (state changes and solver heartbeats) so a client can poll
`GET /api/v1/solves/{id}` or follow them as server-sent events; one solve per forecast at a time
(a second request is refused with 423 while the first is queued or running)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.errors import UserError
from app.ops.session import Session
from app.ops.solving import check_can_solve, solve_forecast
from app.server.errors import SolveRunning
from app.server.solve_process import ProcessSolver
from storage.errors import NotFound, StoreError

FINISHED = frozenset({"AUDITED", "FAILED", "ERROR", "CANCELLED"})


@dataclass
class SolveJob:
    id: str
    forecast_id: int
    tenant: str
    site: str
    requested_by: str
    state: str = "QUEUED"
    run_id: int | None = None
    error: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    events: list[dict[str, Any]] = field(default_factory=list)
    cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def view(self) -> dict[str, Any]:
        last = next((e for e in reversed(self.events) if e["event"] == "progress"), None)
        return {
            "id": self.id, "forecast_id": self.forecast_id, "site": self.site, "state": self.state, "run_id": self.run_id,
            "error": self.error, "requested_by": self.requested_by, "created_at": self.created_at.isoformat(),
            "progress": last["data"] if last else None, "finished": self.finished,
        }

    def cancel(self) -> None:
        """Ask the job to stop: a queued one ends CANCELLED, a running solve stops with its best plan so far."""
        self.cancelled.set()

    def is_set(self) -> bool:  # the solver's CancelToken
        return self.cancelled.is_set()


class SolveQueue:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, min(workers or os.cpu_count() or 1, os.cpu_count() or 1))
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="solve")
        self._solver: ProcessSolver | None = None  # started with the first solve (spawning costs a second)
        self._jobs: dict[str, SolveJob] = {}
        self._active: dict[tuple[str, int], str] = {}  # (tenant, forecast) → job id
        self._changed = threading.Condition()
        self.on_event: Callable[[], None] = lambda: None  # told after every state change (the read cache)

    def submit(self, s: Session, forecast_id: int, *, seed: int, time_limit: float) -> SolveJob:
        """Queue a solve after the same checks the solve itself makes (role, forecast in scope)."""
        forecast = check_can_solve(s, forecast_id)
        key = (s.user.tenant, forecast_id)
        with self._changed:
            running = self._active.get(key)
            if running is not None:
                raise SolveRunning(f"forecast {forecast_id} is already being solved (job {running}, "
                                   f"{self._jobs[running].state}); wait for it or poll GET /api/v1/solves/{running}")
            job = SolveJob(id=uuid.uuid4().hex, forecast_id=forecast_id, tenant=s.user.tenant, site=forecast.site,
                           requested_by=s.display)
            self._jobs[job.id] = job
            self._active[key] = job.id
        self._record(job, "state", {"state": "QUEUED"})
        self._pool.submit(self._run, s, job, seed, time_limit)
        return job

    def get(self, s: Session, job_id: str) -> SolveJob:
        job = self._jobs.get(job_id)
        if job is None or job.tenant != s.user.tenant or job.site not in s.user.sites:
            raise NotFound(f"solve job {job_id} not found")
        return job

    def events_after(self, job: SolveJob, index: int, timeout: float) -> list[dict[str, Any]]:
        """The job's events from `index` on, waiting up to `timeout` s for a new one."""
        with self._changed:
            if len(job.events) <= index and not job.finished:
                self._changed.wait(timeout)
            return list(job.events[index:])

    def shutdown(self) -> None:
        for job in self._jobs.values():
            job.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._solver is not None:
            self._solver.shutdown()

    def _record(self, job: SolveJob, event: str, data: dict[str, Any]) -> None:
        with self._changed:
            if event == "state":
                job.state = data["state"]
            job.events.append({"event": event, "data": data})
            if job.finished:
                self._active.pop((job.tenant, job.forecast_id), None)
            self._changed.notify_all()
        if event == "state":
            self.on_event()

    def _run(self, s: Session, job: SolveJob, seed: int, time_limit: float) -> None:
        if job.is_set():
            self._record(job, "state", {"state": "CANCELLED"})
            return
        try:
            with self._changed:
                if self._solver is None:
                    self._solver = ProcessSolver(self.workers)
            run, _ = solve_forecast(
                s, job.forecast_id, seed=seed, time_limit=time_limit, cancel=job, solver=self._solver,
                progress=lambda beat: self._record(job, "progress", beat.as_json()),
                on_state=lambda state: self._record(job, "state", {"state": state}) if state not in FINISHED else None,
            )
        except (UserError, StoreError) as exc:
            job.error = exc.message
            self._record(job, "state", {"state": "ERROR", "error": exc.message})
            return
        except Exception as exc:  # noqa: BLE001 - a worker must report, never die silently
            job.error = f"{type(exc).__name__}: {exc}"
            self._record(job, "state", {"state": "ERROR", "error": job.error})
            return
        job.run_id = run.id
        job.error = run.error_text
        self._record(job, "state", {"state": run.state, "run_id": run.id})
