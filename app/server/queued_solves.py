"""The server's solves on a PostgreSQL store: jobs in the store's queue (storage/pg_queue.py), not threads.

Any worker on any host may run a job (`solvereign worker`, or this server's own worker threads unless it
runs with `--solve-workers 0`), so everything a client sees is read from the job's row and its runs:
`GET /api/v1/solves/{id}` and the server-sent events show the same fields as an in-process solve
(app/server/solves.py). The 423 for a second solve of a forecast comes from the queue's one-active-job
index, so two servers cannot both queue it. Same interface as `SolveQueue`, chosen in app/server/app.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from app.ops.session import Session
from app.ops.solving import check_can_solve
from app.ops.worker import run_worker, worker_name
from app.server.errors import SolveRunning
from app.server.solve_process import ProcessSolver
from engine.clock import Clock
from storage.errors import Conflict, NotFound
from storage.pg_queue import JobQueue, SolveJob
from storage.scope import Scope
from storage.store import Store

LOOK_EVERY = 0.5  # how often an event stream reads the job's row again
LEASE = 30.0


class QueuedJob:
    """A client's view of one queue job; `refresh()` reads it again and notes what changed as events."""

    def __init__(self, store: Store, scope: Scope, row: SolveJob) -> None:
        self._store, self._scope = store, scope
        self.events: list[dict[str, Any]] = []
        self._seen: tuple[str | None, Any] = (None, None)
        self._update(row)

    @property
    def id(self) -> str:
        return str(self.row.id)

    @property
    def forecast_id(self) -> int:
        return self.row.forecast_id

    @property
    def finished(self) -> bool:
        return self.row.finished

    def cancel(self) -> None:
        """Ask the job to stop: a queued one ends CANCELLED, a running one's worker stops its solver."""
        self._update(JobQueue(self._store).cancel(self._scope, self.row.id))

    def refresh(self) -> None:
        self._update(JobQueue(self._store).get(self._scope, self.row.id))

    def _update(self, row: SolveJob) -> None:
        self.row = row
        self.run_id = row.plan_ids[-1] if row.plan_ids else None
        run_state = self._store.plans.get(self._scope, self.run_id).state if self.run_id is not None else None
        if row.state == "QUEUED" or (row.state == "RUNNING" and run_state is None):
            self.state = "QUEUED"
        elif row.state == "CANCELLED" and run_state is None:
            self.state = "CANCELLED"  # before it started
        elif run_state is not None and (row.finished or run_state != "AUDITED"):
            self.state = run_state  # the runbook's SOLVING … AUDITED / FAILED of the job's latest run
        else:
            self.state = "ERROR" if row.state == "FAILED" else "AUDITING"
        state, progress = self._seen
        if progress != row.progress and row.progress is not None:
            self.events.append({"event": "progress", "data": row.progress})
        if state != self.state:
            data: dict[str, Any] = {"state": self.state, "attempt": row.attempts}
            if self.run_id is not None:
                data["run_id"] = self.run_id
            if row.error:
                data["error"] = row.error
            self.events.append({"event": "state", "data": data})
        self._seen = (self.state, row.progress)

    def view(self) -> dict[str, Any]:
        r = self.row
        return {
            "id": self.id, "forecast_id": r.forecast_id, "site": r.site, "state": self.state, "run_id": self.run_id,
            "error": r.error, "requested_by": r.requested_by, "created_at": r.created_at.isoformat(),
            "progress": r.progress, "finished": self.finished,
            "queue": {"state": r.state, "attempts": r.attempts, "max_attempts": r.max_attempts, "worker": r.worker,
                      "runs": r.plan_ids, "cancel_requested": r.cancel_requested},
        }


class QueuedSolves:
    def __init__(self, store: Store, clock: Clock, workers: int | None = None, *, lease: float = LEASE, poll: float = 1.0) -> None:
        """`workers`: this server's own worker threads (default one per core; 0: only external workers)."""
        cores = os.cpu_count() or 1
        self.workers = cores if workers is None else max(0, min(workers, cores))
        self._store = store
        self._stop = threading.Event()
        self._solver = ProcessSolver(self.workers) if self.workers else None
        self._threads = [
            threading.Thread(target=run_worker, name=f"queue-worker-{n}", daemon=True, args=(store, clock), kwargs={
                "once": False, "poll": poll, "lease": lease, "name": worker_name(n), "stop": self._stop, "solver": self._solver})
            for n in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()
        self.on_event: Callable[[], None] = lambda: None  # no read cache on PostgreSQL: nothing to tell

    def submit(self, s: Session, forecast_id: int, *, seed: int, time_limit: float) -> QueuedJob:
        """Queue the job after the same checks the solve itself makes (role, forecast in scope)."""
        check_can_solve(s, forecast_id)
        try:
            row = JobQueue(s.store).enqueue(s.scope, forecast_id, seed=seed, time_limit=time_limit, login=s.user.login)
        except Conflict as exc:
            raise SolveRunning(f"{exc.message}; wait for it or poll GET /api/v1/solves/<job>") from None
        return QueuedJob(s.store, s.scope, row)

    def get(self, s: Session, job_id: str) -> QueuedJob:
        if not job_id.isdigit():
            raise NotFound(f"solve job {job_id} not found")
        return QueuedJob(s.store, s.scope, JobQueue(s.store).get(s.scope, int(job_id)))

    def events_after(self, job: QueuedJob, index: int, timeout: float) -> list[dict[str, Any]]:
        """The job's events from `index` on, reading its row every LOOK_EVERY s for up to `timeout` s."""
        deadline = time.monotonic() + timeout
        while len(job.events) <= index and not job.finished and time.monotonic() < deadline:
            time.sleep(LOOK_EVERY)
            job.refresh()
        return list(job.events[index:])

    def shutdown(self) -> None:
        """Stop taking jobs; a solve under way stops with its best plan so far and is recorded (as on DuckDB)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        if self._solver is not None:
            self._solver.shutdown()
