"""Solves as jobs in the PostgreSQL store: a table, claimed with `FOR UPDATE SKIP LOCKED`, leased.

Why a table and not a queue library: a job is one row beside the runs it produces, in the same
database, under the same row-level security and backups; claiming needs one statement
(`UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)`: concurrent workers never claim the
same job and never wait for each other), and a lease (`lease_until`, renewed while the solve runs)
turns a worker killed mid-solve into a job another worker claims again once the lease ran out. Its
runs are in `plan_ids`, so the retrying worker fails the run the dead one left SOLVING first. One
forecast has at most one job waiting or running (a partial unique index: two servers cannot both queue
it), and the worker keeps the solver's last heartbeat in `progress`, which is all a server needs to
answer `GET /api/v1/solves/{id}` and its events for a job any worker on any host runs. A cancel is a
flag on the row (`cancel_requested`): a job still QUEUED ends CANCELLED at once, a RUNNING one's worker
reads the flag with its lease renewal and stops the solver (its best plan so far is recorded).
PostgreSQL only (a DuckDB file has one writer process: its solves run in that process).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from storage.db import Tx
from storage.errors import Conflict, InvalidInput, NotFound
from storage.scope import Scope, reads, writes

STATES = ("QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED")
FINISHED = frozenset(STATES[2:])
_STATE_CHECK = "CHECK (state IN (" + ", ".join(f"'{state}'" for state in STATES) + "))"
TABLE = f"""CREATE TABLE IF NOT EXISTS solve_jobs (
    id BIGSERIAL PRIMARY KEY,
    tenant_code TEXT NOT NULL,
    site_code TEXT NOT NULL,
    forecast_id BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    time_limit DOUBLE PRECISION NOT NULL,
    requested_by TEXT NOT NULL,
    state TEXT NOT NULL {_STATE_CHECK},
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    worker TEXT,
    lease_until TIMESTAMPTZ,
    plan_ids BIGINT[] NOT NULL DEFAULT '{{}}',
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now())"""

# added after the table (idempotent; run again whenever storage/pg_schema.py changed)
ADDED = (
    "ALTER TABLE solve_jobs ADD COLUMN IF NOT EXISTS progress TEXT",
    "CREATE UNIQUE INDEX IF NOT EXISTS solve_jobs_one_active ON solve_jobs (tenant_code, forecast_id) "
    "WHERE state IN ('QUEUED', 'RUNNING')",
    "ALTER TABLE solve_jobs ADD COLUMN IF NOT EXISTS cancel_requested BOOLEAN NOT NULL DEFAULT false",
    "ALTER TABLE solve_jobs DROP CONSTRAINT IF EXISTS solve_jobs_state_check",
    f"ALTER TABLE solve_jobs ADD CONSTRAINT solve_jobs_state_check {_STATE_CHECK}",  # CANCELLED came later
)
ACTIVE = "state IN ('QUEUED', 'RUNNING')"

_COLUMNS = ("id, tenant_code, site_code, forecast_id, seed, time_limit, requested_by, state, attempts, max_attempts, "
            "worker, lease_until, plan_ids, error, created_at, updated_at, progress, cancel_requested")


class SolveJob(BaseModel):
    id: int
    tenant: str
    site: str
    forecast_id: int
    seed: int
    time_limit: float
    requested_by: str
    state: str
    attempts: int
    max_attempts: int
    worker: str | None
    lease_until: datetime | None
    plan_ids: list[int]
    error: str | None
    created_at: datetime
    updated_at: datetime
    progress: dict[str, Any] | None = None  # the solver's last heartbeat (engine Progress.as_json)
    cancel_requested: bool = False

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


def _job(r: tuple[Any, ...]) -> SolveJob:
    return SolveJob(id=r[0], tenant=r[1], site=r[2], forecast_id=r[3], seed=r[4], time_limit=r[5], requested_by=r[6],
                    state=r[7], attempts=r[8], max_attempts=r[9], worker=r[10], lease_until=r[11], plan_ids=list(r[12]),
                    error=r[13], created_at=r[14], updated_at=r[15], progress=json.loads(r[16]) if r[16] else None, cancel_requested=r[17])


class JobQueue:
    """The solve jobs of a PostgreSQL store: `JobQueue(store)` (not a `Store` attribute, since a DuckDB
    store has none; its scoped reads have their isolation test in tests/storage/test_pg_queue.py)."""

    def __init__(self, store: Any) -> None:
        self._db = store._db

    @contextmanager
    def _session(self, *, write: bool, system: bool = False) -> Iterator[Tx]:
        if not hasattr(self._db, "queue_session"):
            raise InvalidInput("solve jobs need a PostgreSQL store (--db postgresql://…)")
        with self._db.queue_session(write=write, system=system) as tx:
            yield tx

    @writes
    def enqueue(self, scope: Scope, forecast_id: int, *, seed: int, time_limit: float, login: str,
                max_attempts: int = 3) -> SolveJob:
        """`Conflict` naming the job while the forecast has one waiting or running."""
        with self._session(write=True) as tx:
            site = tx.scalar("SELECT site_code FROM forecasts WHERE id = ?", [forecast_id])
            if site is None or site not in scope.sites:
                raise NotFound(f"forecast {forecast_id} not found")
            row = tx.one(
                f"INSERT INTO solve_jobs (tenant_code, site_code, forecast_id, seed, time_limit, requested_by, state, "
                f"max_attempts) VALUES (?, ?, ?, ?, ?, ?, 'QUEUED', ?) "
                f"ON CONFLICT (tenant_code, forecast_id) WHERE {ACTIVE} DO NOTHING RETURNING {_COLUMNS}",
                [scope.tenant, site, forecast_id, seed, time_limit, login, max_attempts],
            )
            if row is None:
                active = tx.one(f"SELECT id, state FROM solve_jobs WHERE tenant_code = ? AND forecast_id = ? AND {ACTIVE}",
                                [scope.tenant, forecast_id])
                raise Conflict(f"forecast {forecast_id} is already being solved (job {active[0] if active else '?'}, "
                               f"{active[1] if active else 'just finished'})")
        return _job(row)

    @reads
    def get(self, scope: Scope, job_id: int) -> SolveJob:
        with self._session(write=False) as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM solve_jobs WHERE id = ? AND {scope.where()[0]}", [job_id, *scope.where()[1]])
        if row is None:
            raise NotFound(f"solve job {job_id} not found")
        return _job(row)

    @writes
    def cancel(self, scope: Scope, job_id: int) -> SolveJob:
        """Ask the job to stop: QUEUED ends CANCELLED at once (no run), RUNNING is flagged for its worker;
        a finished job is returned unchanged. `NotFound` out of scope. One statement, so a worker claiming
        the job at the same moment either sees it CANCELLED or gets it flagged."""
        where, params = scope.where()
        with self._session(write=True) as tx:
            row = tx.one(
                "UPDATE solve_jobs SET cancel_requested = true, updated_at = now(), "
                "state = CASE WHEN state = 'QUEUED' THEN 'CANCELLED' ELSE state END "
                f"WHERE id = ? AND {ACTIVE} AND {where} RETURNING {_COLUMNS}", [job_id, *params],
            )
        return self.get(scope, job_id) if row is None else _job(row)

    @reads
    def list_jobs(self, scope: Scope, limit: int = 50) -> list[SolveJob]:
        where, params = scope.where()
        with self._session(write=False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM solve_jobs WHERE {where} ORDER BY id DESC LIMIT ?", [*params, limit])
        return [_job(r) for r in rows]

    # --- the workers' side: every tenant's jobs (system sessions) ----------------

    def claim(self, worker: str, lease_s: float) -> SolveJob | None:
        """The oldest queued job, or a running one whose worker's lease ran out; None when there is none."""
        with self._session(write=True, system=True) as tx:
            row = tx.one(
                "UPDATE solve_jobs SET state = 'RUNNING', attempts = attempts + 1, worker = ?, "
                "lease_until = now() + make_interval(secs => ?), updated_at = now() WHERE id = ("
                "SELECT id FROM solve_jobs WHERE state = 'QUEUED' OR (state = 'RUNNING' AND lease_until < now()) "
                f"ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING {_COLUMNS}",
                [worker, lease_s],
            )
        return None if row is None else _job(row)

    def renew(self, job_id: int, worker: str, lease_s: float) -> bool:
        """Extend this worker's lease; True when someone asked the job to stop (the worker's cue to cancel)."""
        with self._session(write=True, system=True) as tx:
            return bool(tx.scalar(
                "UPDATE solve_jobs SET lease_until = now() + make_interval(secs => ?), updated_at = now() "
                "WHERE id = ? AND worker = ? AND state = 'RUNNING' RETURNING cancel_requested", [lease_s, job_id, worker],
            ))

    def add_run(self, job_id: int, worker: str, plan_id: int) -> None:
        with self._session(write=True, system=True) as tx:
            tx.execute("UPDATE solve_jobs SET plan_ids = array_append(plan_ids, ?), updated_at = now() "
                       "WHERE id = ? AND worker = ?", [plan_id, job_id, worker])

    def report(self, job_id: int, worker: str, progress: dict[str, Any]) -> None:
        """The solver's latest heartbeat, for whoever follows the job."""
        with self._session(write=True, system=True) as tx:
            tx.execute("UPDATE solve_jobs SET progress = ?, updated_at = now() WHERE id = ? AND worker = ? AND state = 'RUNNING'",
                       [json.dumps(progress), job_id, worker])

    def finish(self, job_id: int, worker: str, state: Literal["DONE", "FAILED", "CANCELLED"], error: str | None = None) -> bool:
        with self._session(write=True, system=True) as tx:
            return tx.changed(
                "UPDATE solve_jobs SET state = ?, error = ?, lease_until = NULL, updated_at = now() "
                "WHERE id = ? AND worker = ? AND state = 'RUNNING'", [state, error, job_id, worker],
            ) == 1
