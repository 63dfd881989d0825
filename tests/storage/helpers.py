"""Builders shared by the storage tests and their worker processes (no solver needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from datetime import UTC, date, datetime, timedelta

from engine.models import CanonicalForecast, Instance
from storage import Actor, AuditResult, NewForecast, NewPlan, PlanResult, RunSummary, Scope, State, Store

WEEK = date(2026, 3, 2)  # a Monday
ALICE = Actor(name="alice", role="dispatcher")
SYSTEM = Actor.system()
AUDIT_NAMES = ("coverage", "overlap", "rest", "span_regular", "span_split", "fatigue", "weekly_max")


class StepClock:
    """A deterministic clock: starts at `start` and advances `step` per call."""

    def __init__(self, start: datetime = datetime(2026, 2, 24, 8, 0, tzinfo=UTC), step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def make_instances(n: int, *, prefix: str = "T") -> list[Instance]:
    """`n` 4.5 h tours spread over Mon–Sat (every 7th a split tour)."""
    out = []
    for k in range(n):
        day = k % 6 + 1
        start = (day - 1) * 1440 + 240 + (k // 6 % 60) * 10
        if k % 7 == 3:
            segments = ((start, start + 150), (start + 420, start + 540))
        else:
            segments = ((start, start + 270),)
        out.append(Instance(
            id=f"{prefix}{k:05d}-1", external_id=f"{prefix}{k:05d}", instance_no=1, day=day,
            start=segments[0][0], end=segments[-1][1], segments=segments,
        ))
    return out


def make_forecast(tenant: str = "acme", site: str = "wien", *, n: int = 12, week: date = WEEK, prefix: str = "T") -> CanonicalForecast:
    return CanonicalForecast(tenant_code=tenant, site_code=site, week_anchor_date=week, instances=make_instances(n, prefix=prefix))


def new_forecast(tenant: str = "acme", site: str = "wien", *, n: int = 12, week: date = WEEK, prefix: str = "T",
                 status: str = "PASS") -> NewForecast:
    fc = make_forecast(tenant, site, n=n, week=week, prefix=prefix)
    raw = "\n".join(i.external_id for i in fc.instances).encode()
    return NewForecast(forecast=fc, source_format="contract_csv", raw_bytes=raw, status=status,
                       findings={"status": status, "gates": []}, source_name="week.csv")


def make_result(instances: list[Instance], *, drivers: int = 5, audits: bool = True, tag: str = "") -> PlanResult:
    assignments = {i.id: f"D{k % drivers:03d}" for k, i in enumerate(instances)}
    return PlanResult(
        instances=instances,
        assignments=assignments,
        output_hash=f"sha256:{tag or 'x'}{len(instances)}",
        kpis={"coverage": 1.0, "drivers": drivers},
        lower_bound={"drivers": drivers - 1},
        timings={"solve_s": 0.5},
        audits=[AuditResult(name=n, status="PASS", violations=0, rows=[]) for n in AUDIT_NAMES] if audits else None,
    )


def add_forecast(store: Store, scope: Scope, **kw: object) -> int:
    """A forecast at "wien" when the scope has it, else at the scope's first site."""
    site = "wien" if "wien" in scope.sites else sorted(scope.sites)[0]
    return store.forecasts.add(scope, new_forecast(scope.tenant, site, **kw), ALICE).forecast.id  # type: ignore[arg-type]


PATH_TO: dict[State, list[str]] = {
    State.QUEUED: [],
    State.SOLVING: ["solve"],
    State.SOLVED: ["solve", "result"],
    State.AUDITING: ["solve", "result", "audit"],
    State.AUDITED: ["solve", "result", "audit", "audits"],
    State.PUBLISHED: ["solve", "result", "audit", "audits", "publish"],
    State.LOCKED: ["solve", "result", "audit", "audits", "publish", "lock"],
    State.FAILED: ["fail"],
    State.REJECTED: ["solve", "result", "audit", "audits", "reject"],
}


def plan_in_state(store: Store, scope: Scope, forecast_id: int, state: State, **new: object) -> RunSummary:
    """Create a plan and walk it, step by step through the public API, to `state`."""
    plan = store.plans.create(scope, NewPlan(forecast_id=forecast_id, **new), ALICE)  # type: ignore[arg-type]
    fc = store.forecasts.content(scope, forecast_id).canonical()
    for step in PATH_TO[state]:
        v = plan.state_version
        if step == "result":
            plan = store.plans.record_result(scope, plan.id, v, make_result(fc.instances, audits=False), SYSTEM).plan
        elif step == "audits":
            plan = store.plans.record_audits(scope, plan.id, v, make_result(fc.instances).audits or [], SYSTEM).plan
        elif step == "fail":
            plan = store.plans.fail(scope, plan.id, v, "solver crashed", SYSTEM).plan
        else:
            plan = store.plans.transition(scope, plan.id, step, expected_version=v, actor=ALICE,
                                          reason=f"{step} for the test week").plan
    assert plan.state == state.value
    return plan


def build_in_tx(tx: object, scope: Scope, state: State, *, week: date, tag: str = "", n: int = 12) -> int:
    """Inside one open write transaction: a forecast of its own week and a plan walked to `state`.

    Uses the transaction-level functions the repositories are built from, so a test can set
    up a hundred plans in one commit instead of hundreds of opens."""
    from storage import lifecycle
    from storage.lifecycle import Action
    from storage.repo_forecasts import insert_forecast
    from storage.repo_plans import insert_plan, write_audits, write_result

    site = sorted(scope.sites)[0]
    nf = new_forecast(scope.tenant, site, n=n, week=week, prefix=f"T{tag}")
    fc = insert_forecast(tx, scope, nf, ALICE).forecast  # type: ignore[arg-type]
    instances = nf.forecast.instances

    def walk(target: State) -> int:
        plan_id = insert_plan(tx, scope, NewPlan(forecast_id=fc.id), ALICE)  # type: ignore[arg-type]
        v = 1
        for step in PATH_TO[target]:
            if step == "result":
                write_result(tx, scope, plan_id, v, make_result(instances, audits=False), SYSTEM)  # type: ignore[arg-type]
            elif step == "audits":
                write_audits(tx, scope, plan_id, v, make_result(instances).audits or [], SYSTEM, None)  # type: ignore[arg-type]
            elif step == "fail":
                lifecycle.transition(tx, scope, plan_id, Action.FAIL, expected_version=v, actor=SYSTEM, error="boom")  # type: ignore[arg-type]
            else:
                lifecycle.transition(tx, scope, plan_id, Action(step), expected_version=v, actor=ALICE,  # type: ignore[arg-type]
                                     reason=f"{step} for the test week")
            v += 1
        return plan_id

    if state is State.SUPERSEDED:
        older = walk(State.LOCKED)
        walk(State.LOCKED)  # locking the newer version supersedes the older one
        return older
    return walk(state)


HOLDER_CODE = """
import sys, duckdb
conn = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
sys.stdin.read()  # hold the file until the parent closes our stdin
conn.close()
"""


class FileHolder:
    """Another OS process holding the DuckDB file (read-only or read-write) until released."""

    def __init__(self, path: str, mode: str) -> None:
        import subprocess
        import sys

        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER_CODE, path, mode], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        self.pid = self.proc.pid

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)

    def __enter__(self) -> FileHolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _PgRaw:
    """A superuser connection with triggers off: somebody editing the database behind the program's back."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: list[Any] | None = None) -> Any:
        from storage.pg_sql import translate

        return self._conn.execute(translate(sql), params or [])


@contextmanager
def raw(store: Store) -> Iterator[Any]:
    """Raw SQL on the store's own file or database, past every check of the program (DuckDB SQL)."""
    if store.backend == "duckdb":
        conn = duckdb.connect(store.path)
        try:
            yield conn
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(store._db.url, autocommit=True) as pg:  # type: ignore[attr-defined]
        pg.execute("SET session_replication_role = replica")
        yield _PgRaw(pg)
