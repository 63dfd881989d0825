"""The server's scheduled jobs: a small loop, not APScheduler. The weekly solve's idempotency lives in
the store (app/ops/jobs.py: due = no run yet), and so does the weekly notification's (due = the
outbox not done), so the loop needs no job store of its own; one thread that asks "what is due?"
every few seconds is all a once-a-week job needs."""

from __future__ import annotations

import logging
import threading

from app.errors import UserError
from app.ops.jobs import due_solves, job_session
from app.notify.config import backoff_seconds, channels
from app.ops.notify import NotifyReport, notify_due
from app.server.errors import SolveRunning
from app.server.solves import SolveJob, SolveQueue
from engine.clock import Clock
from storage.errors import StoreError
from storage.store import Store

log = logging.getLogger("solvereign.jobs")


class Scheduler:
    def __init__(self, store: Store, clock: Clock, solves: SolveQueue, *, every: float, time_limit: float) -> None:
        self.store, self.clock, self.solves = store, clock, solves
        self.every, self.time_limit = every, time_limit
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[SolveJob]:
        """Queue every due weekly solve once (a queued or running one is not queued again)."""
        started: list[SolveJob] = []
        for scope in self.store.tenants.all_scopes():
            try:
                due = due_solves(self.store, scope, self.clock.now())
            except (UserError, StoreError, ValueError) as exc:
                log.warning("weekly solve of tenant %s skipped: %s", scope.tenant, exc)
                continue
            for item in due:
                try:
                    job = self.solves.submit(job_session(self.store, self.clock, scope), item.forecast_id,
                                             seed=94, time_limit=self.time_limit)
                except SolveRunning:
                    continue
                except (UserError, StoreError) as exc:
                    log.warning("weekly solve of forecast %d skipped: %s", item.forecast_id, exc)
                    continue
                log.info("weekly solve of forecast %d (%s/%s, week %s) queued as job %s",
                         item.forecast_id, item.tenant, item.site, item.week, job.id)
                started.append(job)
        return started

    def notify_tick(self) -> list[NotifyReport]:
        """Tell the drivers of every due LOCKED plan (the same code path as `solvereign notify due`)."""
        reports: list[NotifyReport] = []
        for scope in self.store.tenants.all_scopes():
            try:
                done = notify_due(job_session(self.store, self.clock, scope), channels(), backoff=backoff_seconds())
            except (UserError, StoreError, ValueError) as exc:
                log.warning("weekly notification of tenant %s skipped: %s", scope.tenant, exc)
                continue
            for r in done:
                log.info("weekly notification of run %d: %d sent, %d failed, %d without contact data",
                         r.run_id, len(r.sent), len(r.failed), len(r.no_contact))
            reports.extend(done)
        return reports

    def start(self) -> None:
        if self.every <= 0:
            return

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.tick()
                    self.notify_tick()
                except StoreError as exc:  # a busy store: the next tick tries again
                    log.warning("scheduled jobs: %s", exc)
                self._stop.wait(self.every)

        self._thread = threading.Thread(target=loop, name="jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
