"""`solvereign worker`: take solve jobs from a PostgreSQL store's queue (storage/pg_queue.py) and run them.

Any number of workers on any host share one queue. A worker holds a lease on its job, renewed every
third of the lease while the engine works; a worker killed mid-solve stops renewing, and once the
lease ran out another worker claims the job again. Before solving anew it fails the run the dead
worker left in SOLVING ("worker … stopped mid-solve; retried as attempt N of job J"), so no run stays
SOLVING and the run list shows the retry. A job whose attempts are used up is FAILED. The solver's
heartbeats go into the job's row (at most one write per `REPORT_EVERY` s), where any server reads them.
A cancel (`POST /api/v1/solves/{id}/cancel`) flags the row; the lease renewal reads the flag (at least
every `CANCEL_LOOK_EVERY` s) and stops the solver, which keeps its best plan so far (solver status STOPPED).

A server on PostgreSQL runs its own workers as threads of this loop (app/server/queued_solves.py),
with the engine in a child process; `--solve-workers 0` leaves every job to `solvereign worker`s.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from app.errors import EXIT_BLOCKED, UserError
from app.ops.jobs import JOB_LOGIN, job_session
from app.ops.session import Session
from app.ops.solving import beating, solve_forecast
from engine.clock import Clock
from storage.errors import StoreError
from storage.pg_queue import JobQueue, SolveJob
from storage.scope import Scope
from storage.store import Store

UNFINISHED = ("QUEUED", "SOLVING", "SOLVED", "AUDITING")
REPORT_EVERY = 1.0
CANCEL_LOOK_EVERY = 1.0  # the lease is renewed at least this often, so a cancel reaches the solver within it
Solver = Callable[..., Any]  # engine.solver.api.solve, or the server's ProcessSolver


def worker_name(n: int | None = None) -> str:
    return f"worker@{socket.gethostname()}:{os.getpid()}" + ("" if n is None else f"/{n}")


def run_worker(store: Store, clock: Clock, *, once: bool, poll: float, lease: float, name: str | None = None,
               stop: threading.Event | None = None, solver: Solver | None = None) -> int:
    """Work until `stop` is set (which also ends a solve under way early), or, `once`, until the queue is empty;
    returns how many jobs this worker ran."""
    if store.backend != "postgresql":
        raise UserError("blocked: solve jobs need a PostgreSQL store (--db postgresql://…)", EXIT_BLOCKED)
    queue, name, done = JobQueue(store), name or worker_name(), 0
    stop = stop or threading.Event()
    while not stop.is_set():
        job = queue.claim(name, lease)
        if job is None:
            if once:
                break
            stop.wait(poll)
            continue
        run_job(store, clock, queue, job, name, lease, solver=solver, cancel=stop)
        done += 1
    return done


def run_job(store: Store, clock: Clock, queue: JobQueue, job: SolveJob, name: str, lease: float, *,
            solver: Solver | None = None, cancel: threading.Event | None = None) -> None:
    """`cancel` (the worker being stopped) ends the solve early with its best plan, recorded as usual."""
    scope = Scope.of(job.tenant, job.site)
    user = store.users.identify(job.requested_by)
    if user is None and job.requested_by == JOB_LOGIN:  # a server's weekly solve: the scheduler acts as itself
        s = job_session(store, clock, scope)
    elif user is None or not user.active or user.tenant != job.tenant or job.site not in user.sites:
        queue.finish(job.id, name, "FAILED", error=f"{job.requested_by} may no longer solve at {job.site}")
        return
    else:
        s = Session(store=store, clock=clock, login=user.login, user=user)
    _fail_left_behind(s, scope, job)
    if job.cancel_requested:  # cancelled while its dead worker's lease ran out: no new run
        queue.finish(job.id, name, "CANCELLED", error="cancelled")
        return
    if job.attempts > job.max_attempts:
        queue.finish(job.id, name, "FAILED", error=f"gave up after {job.max_attempts} attempts")
        return
    requested = threading.Event()
    try:
        with _lease_renewed(queue, job.id, name, lease, requested):
            run, _ = solve_forecast(s, job.forecast_id, seed=job.seed, time_limit=job.time_limit, solver=solver,
                                    cancel=_Either(requested, cancel), progress=_reporter(queue, job.id, name),
                                    on_created=lambda plan_id: queue.add_run(job.id, name, plan_id))
    except (UserError, StoreError) as exc:
        queue.finish(job.id, name, "FAILED", error=exc.message)
        return
    queue.finish(job.id, name, "DONE" if run.state == "AUDITED" else "FAILED", error=run.error_text)


class _Either:
    """The solver's CancelToken: a cancel asked for the job, or the worker being stopped."""

    def __init__(self, *events: threading.Event | None) -> None:
        self._events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)


def _reporter(queue: JobQueue, job_id: int, name: str) -> Callable[[Any], None]:
    """The solver's heartbeats into the job's row, the first at once and then one per REPORT_EVERY s."""
    last = [-REPORT_EVERY]

    def report(beat: Any) -> None:
        if time.monotonic() - last[0] >= REPORT_EVERY:
            last[0] = time.monotonic()
            try:
                queue.report(job_id, name, beat.as_json())
            except StoreError:
                pass  # a busy moment loses one heartbeat, not the solve
    return report


def _fail_left_behind(s: Session, scope: Scope, job: SolveJob) -> None:
    """The runs of earlier attempts that never finished (their worker died): FAILED, naming the retry."""
    for plan_id in job.plan_ids:
        run = s.store.plans.get(scope, plan_id)
        if run.state in UNFINISHED:
            s.store.plans.fail(scope, plan_id, run.state_version,
                               f"{job.worker or 'its worker'} stopped mid-solve; retried as attempt {job.attempts} of job {job.id}",
                               s.actor)


def _lease_renewed(queue: JobQueue, job_id: int, name: str, lease: float,
                   requested: threading.Event) -> AbstractContextManager[None]:
    """Renew the job's lease (three times per lease at least) while it is solved, a killed worker lets it lapse;
    each renewal tells whether a cancel was asked for, and sets `requested` then."""
    def renew() -> None:
        if queue.renew(job_id, name, lease):
            requested.set()
    return beating(min(lease / 3, CANCEL_LOOK_EVERY), renew, f"job-lease-{job_id}")
