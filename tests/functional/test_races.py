"""Races and recovery with real processes: two locks of one plan at once, and a solver killed -9."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from ops_world import (
    ADMIN,
    DISPATCHER,
    LOCK_REASON,
    NOW_OPEN,
    OPS_LEAD,
    REASON,
    SITE,
    TENANT,
    World,
    cli,
    global_args,
    solvereign_argv,
    subprocess_env,
    write,
)

from storage import Scope, Store


def _popen(db, login: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(solvereign_argv(login, *global_args(db, NOW_OPEN, None), *args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=subprocess_env())


@pytest.mark.parametrize("round_", range(2))
def test_two_processes_locking_one_plan_both_exit_0_and_only_one_says_locked(fresh_world: World, round_: int):
    w = fresh_world
    assert cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER).code == 0
    for run in (w.runs["published"], w.runs["clean"]):
        procs = [_popen(w.db, who, "lock", str(run), "--reason", LOCK_REASON) for who in (DISPATCHER, OPS_LEAD)]
        results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
        assert [code for code, _, _ in results] == [0, 0], results
        outs = [out for _, out, _ in results]
        winners = [o for o in outs if "locked (PUBLISHED → LOCKED)" in o]
        losers = [o for o in outs if "already LOCKED by" in o]
        assert len(winners) == 1 and len(losers) == 1, outs
        records = cli(w.db, "log", str(run), "--json", login=ADMIN).json["records"]
        locks = [r for r in records if r["action"] == "lock"]
        assert len(locks) == 1
        assert f"already LOCKED by {locks[0]['actor']} at " in losers[0]


# --- a solver killed -9 ---------------------------------------------------------------------------


def _state(db, run_id: int) -> str:
    return Store(db, read_only=True).plans.get(Scope.of(TENANT, SITE), run_id).state


def _solving_run(db, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            runs = Store(db, read_only=True).plans.list_runs(Scope.of(TENANT, SITE), states=["SOLVING"])
        except Exception:  # busy for a moment while the solver writes
            runs = []
        if runs:
            return runs[0].id
        time.sleep(0.05)
    raise AssertionError("no run reached SOLVING")


def test_a_killed_solve_is_shown_stale_and_failed_on_the_next_read(fresh_world: World, tmp_path):
    from fixtures.generator import generate_week

    w = fresh_world
    week = write(tmp_path / "big.csv", generate_week(900, seed=11))
    imported = cli(w.db, "import", str(week), "--site", SITE, "--anchor", "2026-01-26", "--json", login=DISPATCHER)
    assert imported.code in (0, 1), imported
    forecast = imported.json["forecast_id"]
    proc = _popen(w.db, DISPATCHER, "solve", "--forecast", str(forecast), "--time-limit", "120", "--json")
    try:
        run_id = _solving_run(w.db)
        alive = cli(w.db, "runs", "fail", str(run_id), "--reason", "looks stuck to me", login=DISPATCHER)
        assert alive.code == 2 and "lease is alive" in alive.error_line, alive  # its solver is still at work
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert _state(w.db, run_id) == "SOLVING"  # nothing cleared it by itself
    status = cli(w.db, "status", login=DISPATCHER)
    assert status.code == 0 and f"stale solve, marked FAILED: run {run_id}" in status.out, status
    assert f"process {proc.pid}" in status.out and "is gone" in status.out
    assert _state(w.db, run_id) == "FAILED"
    record = cli(w.db, "log", str(run_id), "--json", login=ADMIN).json["records"][-1]
    assert record["action"] == "fail" and "stale solve lease" in record["reason"] and record["actor"] == "system"


def test_runs_fail_clears_a_run_whose_lease_expired_elsewhere(fresh_world: World):
    """A run SOLVING on another host whose heartbeat stopped: `runs fail ID --reason` records who and why."""
    import duckdb

    from storage import Actor, NewPlan

    w = fresh_world
    store = Store(w.db)
    scope = Scope.of(TENANT, SITE)
    plan = store.plans.create(scope, NewPlan(forecast_id=w.forecasts["clean_a"]), Actor(name=DISPATCHER, role="dispatcher"))
    plan = store.plans.transition(scope, plan.id, "solve", expected_version=plan.state_version,
                                  actor=Actor(name=DISPATCHER, role="dispatcher")).plan
    conn = duckdb.connect(str(w.db))
    try:  # the lease of a solver on another host, silent for ten minutes (lease columns are not chained)
        conn.execute("UPDATE plans SET lease_host = 'solver-2', lease_heartbeat = ? WHERE id = ?",
                     [datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10), plan.id])
    finally:
        conn.close()
    from app.ops.runs import stale_reason

    lease = Store(w.db).plans.leases(scope)[0]
    assert "has not reported for" in (stale_reason(lease) or "")
    viewer = cli(w.db, "runs", "fail", str(plan.id), "--reason", "the solver host died", login="vera")
    assert viewer.code == 2 and "role viewer" in viewer.error_line
    r = cli(w.db, "runs", "fail", str(plan.id), "--reason", "the solver host died", login=DISPATCHER)
    assert r.code == 0 and f"run {plan.id} FAILED (SOLVING → FAILED)" in r.out, r
    rec = cli(w.db, "log", str(plan.id), "--json", login=ADMIN).json["records"][-1]
    assert rec["actor"] == DISPATCHER and rec["reason"] == f"failed by {DISPATCHER}: the solver host died"


def test_stale_is_decided_by_liveness_on_this_host_and_by_silence_elsewhere():
    import socket

    from app.ops.runs import LEASE_TTL, stale_reason
    from storage.models import SolveLease

    now = datetime.now(UTC)
    here = socket.gethostname()
    assert stale_reason(SolveLease(plan_id=1, pid=os.getpid(), host=here, heartbeat_at=now)) is None
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert "is gone" in (stale_reason(SolveLease(plan_id=1, pid=dead.pid, host=here, heartbeat_at=now)) or "")
    fresh = SolveLease(plan_id=1, pid=1, host="solver-2", heartbeat_at=now - timedelta(seconds=LEASE_TTL / 2))
    assert stale_reason(fresh) is None
    silent = fresh.model_copy(update={"heartbeat_at": now - timedelta(seconds=LEASE_TTL + 1)})
    assert "has not reported" in (stale_reason(silent) or "")
    assert "no solve lease" in (stale_reason(SolveLease(plan_id=1, pid=None, host=None, heartbeat_at=None)) or "")
