"""Solves as jobs in a PostgreSQL store: workers in real processes share the queue; a worker killed
(kill -9) mid-solve leaves its job to another worker, which fails the run left SOLVING and solves anew."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from ops_world import (
    DISPATCHER,
    NOW_OPEN,
    ROLE_LOGINS,
    SITE,
    TENANT,
    World,
    cli,
    global_args,
    solvereign_argv,
    subprocess_env,
    write,
)

from app.ops.store_owner import process_alive
from fixtures.generator import generate_week
from storage import NotFound, Scope, Store
from storage.copy import copy_store
from storage.pg_queue import JobQueue

SCOPE = Scope.of(TENANT, SITE)


def worker(url: str, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = subprocess_env()
    env["SOLVEREIGN_TRUST_DIR"] = os.environ["SOLVEREIGN_TRUST_DIR"]
    return subprocess.Popen(solvereign_argv(None, *global_args(url, NOW_OPEN, None), "worker", "--poll", "0.1", *args),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def wait_for(check, timeout: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def queue_solve(url: str, forecast: int, time_limit: float, login: str = DISPATCHER) -> int:
    r = cli(url, "queue", "add", "--forecast", str(forecast), "--time-limit", str(time_limit), "--json", login=login)
    assert r.code == 0, r
    return int(r.json["id"])


def test_a_worker_killed_mid_solve_leaves_the_job_to_another_which_fails_the_orphan_run_and_solves(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    viewer = cli(pg_url, "queue", "add", "--forecast", str(fresh_world.forecasts["clean_a"]), login=ROLE_LOGINS["viewer"])
    assert viewer.code == 2 and "role viewer" in viewer.error_line, viewer
    week = write(tmp_path / "big.csv", generate_week(900, seed=11))
    imported = cli(pg_url, "import", str(week), "--site", SITE, "--anchor", "2026-01-26", "--json", login=DISPATCHER)
    assert imported.code in (0, 1), imported
    job_id = queue_solve(pg_url, imported.json["forecast_id"], time_limit=6)
    store, queue = Store(pg_url), JobQueue(Store(pg_url))

    first = worker(pg_url, tmp_path, "--lease", "2")
    try:
        run_id = wait_for(lambda: (j := queue.get(SCOPE, job_id)).plan_ids and j.plan_ids[0])
        wait_for(lambda: store.plans.get(SCOPE, run_id).state == "SOLVING")
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait(30)
    assert store.plans.get(SCOPE, run_id).state == "SOLVING" and queue.get(SCOPE, job_id).state == "RUNNING"

    lease = queue.get(SCOPE, job_id).lease_until
    assert lease is not None
    time.sleep(max(0.0, (lease - datetime.now(UTC)).total_seconds()) + 0.2)  # nobody renews it any more
    second = worker(pg_url, tmp_path, "--lease", "2", "--once")
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0 and "after 1 job(s)" in out, out
    job = queue.get(SCOPE, job_id)
    assert job.state == "DONE" and job.attempts == 2 and job.plan_ids[0] == run_id and len(job.plan_ids) == 2, job
    orphan, retried = store.plans.get(SCOPE, run_id), store.plans.get(SCOPE, job.plan_ids[1])
    assert orphan.state == "FAILED" and f"retried as attempt 2 of job {job_id}" in (orphan.error_text or "")
    dead = int((orphan.error_text or "").split(f"worker@{os.uname().nodename}:")[1].split(" ")[0])
    assert not process_alive(dead)  # the run names the worker that died
    assert retried.state == "AUDITED"
    assert not store.plans.list_runs(SCOPE, states=["SOLVING"])  # no run left behind
    assert store.approvals.verify(SCOPE).ok


def test_workers_share_the_queue_each_job_runs_once_and_jobs_are_scoped(fresh_world: World, pg_url: str, tmp_path: Path) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    jobs = [queue_solve(pg_url, fresh_world.forecasts[name], time_limit=2) for name in ("clean_a", "clean_b", "kpi_alert")]
    workers = [worker(pg_url, tmp_path, "--once") for _ in range(2)]
    outs = []
    threads = [threading.Thread(target=lambda p=p: outs.append(p.communicate(timeout=180)[0])) for p in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(200)
    assert all(p.returncode == 0 for p in workers), outs
    queue = JobQueue(Store(pg_url))
    done = [queue.get(SCOPE, j) for j in jobs]
    assert [(j.state, j.attempts, len(j.plan_ids)) for j in done] == [("DONE", 1, 1)] * 3, done
    assert sum(int(o.split("after ")[1].split(" ")[0]) for o in outs) == 3  # each job ran exactly once
    for scope in (Scope.of(TENANT, "graz"), Scope.of("rival", SITE)):  # another site or tenant sees no job
        assert queue.list_jobs(scope) == []
        try:
            queue.get(scope, jobs[0])
            raise AssertionError("a foreign scope saw the job")
        except NotFound:
            pass
    listed = cli(pg_url, "queue", "list", login=DISPATCHER)
    assert listed.code == 0 and listed.out.count("DONE") == 3
