"""A server on a PostgreSQL store queues `POST /api/v1/forecasts/{id}/solve` as a job (storage/pg_queue.py):
real `solvereign worker` processes (or the server's own worker threads) run it, and polling and the event
stream read its state and progress from the queue; a worker killed mid-solve leaves it to another."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
from live_server import client, mint_key
from ops_world import DISPATCHER, SITE, TENANT, World, cli, write
from test_pg_queue import wait_for, worker
from test_pg_servers import server

from fixtures.generator import generate_week
from storage import Scope, Store
from storage.copy import copy_store
from storage.pg_queue import JobQueue

SCOPE = Scope.of(TENANT, SITE)


def events(base: str, key: str, job_id: str) -> list[tuple[str, dict[str, object]]]:
    """The job's server-sent events until the server ends the stream."""
    got, name = [], ""
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=120) as c, \
            c.stream("GET", f"/api/v1/solves/{job_id}/events") as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                got.append((name, json.loads(line[6:])))
    return got


def test_a_solve_posted_to_a_server_on_postgresql_is_run_by_a_worker_process(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    key = mint_key(pg_url, DISPATCHER)
    forecast = fresh_world.forecasts["clean_a"]
    with server(pg_url, tmp_path / "server.log", "--solve-workers", "0") as (base, _), client(base, key) as c:
        assert c.get("/health").json()["solve_workers"] == 0
        posted = c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 3})
        assert posted.status_code == 202, posted.text
        job_id = posted.json()["id"]
        again = c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 3})
        assert again.status_code == 423 and f"job {job_id}, QUEUED" in again.json()["error"], again.text
        time.sleep(1.0)  # nobody takes it: the server runs no workers of its own
        waiting = c.get(f"/api/v1/solves/{job_id}").json()
        assert (waiting["state"], waiting["finished"], waiting["queue"]["attempts"]) == ("QUEUED", False, 0), waiting

        proc = worker(pg_url, tmp_path, "--once")
        seen = events(base, key, job_id)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "after 1 job(s)" in out, out

        states = [d["state"] for e, d in seen if e == "state"]
        assert states[0] == "QUEUED" and states[-1] == "AUDITED", seen
        assert any(e == "progress" and "drivers" in d for e, d in seen), seen  # the worker's heartbeats, via the row
        done = c.get(f"/api/v1/solves/{job_id}").json()
        assert done["finished"] and done["state"] == "AUDITED" and done["queue"]["state"] == "DONE", done
        assert done["queue"]["worker"].startswith("worker@") and done["run_id"] == seen[-1][1]["run_id"]
        assert c.get(f"/api/v1/plans/{done['run_id']}").json()["status"] == "AUDITED"
        assert c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 3}).status_code == 202  # no longer active
        assert c.get("/api/v1/solves/999999").status_code == 404


def test_a_worker_killed_mid_solve_of_a_posted_job_is_retried_and_no_run_stays_solving(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    key = mint_key(pg_url, DISPATCHER)
    week = write(tmp_path / "big.csv", generate_week(900, seed=11))
    imported = cli(pg_url, "import", str(week), "--site", SITE, "--anchor", "2026-01-26", "--json", login=DISPATCHER)
    assert imported.code in (0, 1), imported
    forecast = imported.json["forecast_id"]
    with server(pg_url, tmp_path / "server.log", "--solve-workers", "0") as (base, _), client(base, key) as c:
        job_id = c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 6}).json()["id"]
        first = worker(pg_url, tmp_path, "--lease", "2")
        try:
            solving = wait_for(lambda: (v := c.get(f"/api/v1/solves/{job_id}").json())["state"] == "SOLVING" and v)
            os.kill(first.pid, signal.SIGKILL)
        finally:
            first.kill()
            first.wait(30)
        orphan = solving["run_id"]
        assert c.post(f"/api/v1/forecasts/{forecast}/solve").status_code == 423  # still the job's, lease or not
        second = worker(pg_url, tmp_path, "--lease", "2")  # takes the job over once the dead one's lease ran out
        try:
            done = wait_for(lambda: (v := c.get(f"/api/v1/solves/{job_id}").json())["finished"] and v, timeout=120)
        finally:
            second.terminate()
            second.wait(60)
        assert done["state"] == "AUDITED" and done["queue"]["worker"] != solving["queue"]["worker"], done
        assert done["queue"]["attempts"] == 2 and done["queue"]["runs"][0] == orphan and len(done["queue"]["runs"]) == 2
        left = c.get(f"/api/v1/plans/{orphan}").json()
        assert left["status"] == "FAILED" and f"retried as attempt 2 of job {job_id}" in (left["run"]["error_text"] or "")
    assert not Store(pg_url).plans.list_runs(SCOPE, states=["SOLVING"])


def test_a_server_on_postgresql_with_its_own_workers_solves_alone(fresh_world: World, pg_url: str, tmp_path: Path) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    key = mint_key(pg_url, DISPATCHER)
    with server(pg_url, tmp_path / "server.log", "--solve-workers", "1") as (base, _), client(base, key) as c:
        job_id = c.post(f"/api/v1/forecasts/{fresh_world.forecasts['clean_b']}/solve", json={"time_limit": 2}).json()["id"]
        done = wait_for(lambda: (v := c.get(f"/api/v1/solves/{job_id}").json())["finished"] and v, timeout=120)
    assert done["state"] == "AUDITED" and done["queue"]["worker"].endswith("/0"), done


def test_a_server_stopped_mid_solve_records_the_run_and_finishes_its_job(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    key = mint_key(pg_url, DISPATCHER)
    week = write(tmp_path / "big.csv", generate_week(900, seed=11))
    forecast = cli(pg_url, "import", str(week), "--site", SITE, "--anchor", "2026-01-26", "--json", login=DISPATCHER).json["forecast_id"]
    with server(pg_url, tmp_path / "server.log", "--solve-workers", "1") as (base, proc), client(base, key) as c:
        job_id = c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 120}).json()["id"]
        run_id = wait_for(lambda: (v := c.get(f"/api/v1/solves/{job_id}").json())["state"] == "SOLVING" and v["run_id"])
        started = time.monotonic()
        proc.terminate()
        proc.wait(60)
    assert time.monotonic() - started < 60  # the solve was stopped, not waited for (its limit was 120 s)
    store = Store(pg_url)
    assert store.plans.get(SCOPE, run_id).state != "SOLVING"
    assert JobQueue(store).get(SCOPE, int(job_id)).finished


def test_the_weekly_solve_of_two_servers_on_one_database_is_queued_once(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    from ops_world import balanced_week

    from app.server.app import create_app
    from engine.clock import parse_now

    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    week = write(tmp_path / "coming.csv", balanced_week(1, shift=120))
    fid = cli(pg_url, "import", str(week), "--anchor", "2026-02-02", "--json", login=DISPATCHER).json["forecast_id"]
    apps = [create_app(pg_url, parse_now("2026-01-27T08:01"), workers=0, jobs_every=0, job_time_limit=3) for _ in range(2)]
    try:
        queued = [job.id for app in apps for job in app.state.scheduler.tick()]
        assert len(queued) == 1  # the second server's tick met the first one's job
        proc = worker(pg_url, tmp_path, "--once")
        out, _ = proc.communicate(timeout=120)
        assert "after 1 job(s)" in out, out
        assert [job.id for app in apps for job in app.state.scheduler.tick()] == []  # its run exists: not due again
    finally:
        for app in apps:
            app.state.solves.shutdown()
    job = JobQueue(Store(pg_url)).get(SCOPE, int(queued[0]))
    assert job.state == "DONE" and job.forecast_id == fid and job.requested_by == "scheduler"
