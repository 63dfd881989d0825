"""`POST /api/v1/solves/{id}/cancel` on a server on PostgreSQL: the cancel is a flag on the queue job's row,
a queued job ends CANCELLED without a run, a running one's worker process (a real `solvereign worker`) stops
the solver, which keeps its best plan (solver status STOPPED) as on DuckDB; a finished job stays as it
ended, and another tenant's job is not found."""

from __future__ import annotations

import time
from pathlib import Path

from live_server import client, mint_key
from ops_world import DISPATCHER, RIVAL, SITE, World, cli, write
from test_pg_queue import wait_for, worker
from test_pg_server_solves import SCOPE
from test_pg_servers import server

from fixtures.generator import generate_week
from storage import Store
from storage.copy import copy_store
from storage.pg_queue import JobQueue


def _rival_key(url: str) -> str:
    r = cli(url, "users", "key", RIVAL, login=RIVAL)
    assert r.code == 0, r
    return r.out.strip()


def test_a_queued_job_cancelled_ends_cancelled_without_a_run_and_is_hidden_from_other_tenants(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    key, rival = mint_key(pg_url, DISPATCHER), _rival_key(pg_url)
    forecast = fresh_world.forecasts["clean_a"]
    with server(pg_url, tmp_path / "server.log", "--solve-workers", "0") as (base, _), client(base, key) as c:
        job_id = c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 3}).json()["id"]
        with client(base, rival) as other:
            assert other.post(f"/api/v1/solves/{job_id}/cancel").status_code == 404
        assert c.get(f"/api/v1/solves/{job_id}").json()["queue"]["cancel_requested"] is False  # the 404 changed nothing

        cancelled = c.post(f"/api/v1/solves/{job_id}/cancel")
        assert cancelled.status_code == 202, cancelled.text
        view = cancelled.json()
        assert (view["state"], view["finished"], view["run_id"]) == ("CANCELLED", True, None), view
        assert view["queue"]["state"] == "CANCELLED" and view["queue"]["cancel_requested"] and view["queue"]["runs"] == []

        proc = worker(pg_url, tmp_path, "--once")  # finds nothing to run
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "after 0 job(s)" in out, out
        assert c.get(f"/api/v1/solves/{job_id}").json() == view
        assert c.post(f"/api/v1/solves/{job_id}/cancel").json() == view  # again: 202, unchanged
        assert c.post("/api/v1/solves/999999/cancel").status_code == 404
        assert c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 3}).status_code == 202  # no longer active
    assert not Store(pg_url).plans.list_runs(SCOPE, states=["SOLVING"])


def test_a_running_job_cancelled_stops_its_workers_solver_with_the_best_plan(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    key = mint_key(pg_url, DISPATCHER)
    week = write(tmp_path / "big.csv", generate_week(900, seed=11))
    forecast = cli(pg_url, "import", str(week), "--site", SITE, "--anchor", "2026-01-26", "--json",
                   login=DISPATCHER).json["forecast_id"]
    with server(pg_url, tmp_path / "server.log", "--solve-workers", "0") as (base, _), client(base, key) as c:
        job_id = c.post(f"/api/v1/forecasts/{forecast}/solve", json={"time_limit": 120}).json()["id"]
        proc = worker(pg_url, tmp_path)  # the default lease (30 s): the cancel must not wait for a renewal that late
        try:
            wait_for(lambda: c.get(f"/api/v1/solves/{job_id}").json()["state"] == "SOLVING")
            asked = time.monotonic()
            flagged = c.post(f"/api/v1/solves/{job_id}/cancel")
            assert flagged.status_code == 202 and flagged.json()["queue"]["cancel_requested"], flagged.text
            done = wait_for(lambda: (v := c.get(f"/api/v1/solves/{job_id}").json())["finished"] and v, timeout=60)
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=60)
        assert time.monotonic() - asked < 60, out  # stopped, not solved to its 120 s limit
        assert (done["state"], done["queue"]["state"], done["queue"]["attempts"]) == ("AUDITED", "DONE", 1), done
        plan = c.get(f"/api/v1/plans/{done['run_id']}").json()
        assert plan["status"] == "AUDITED" and plan["run"]["kpis"]["solver_status"] == "STOPPED", plan
        assert c.post(f"/api/v1/solves/{job_id}/cancel").json() == done  # finished: 202, unchanged
    store = Store(pg_url)
    assert not store.plans.list_runs(SCOPE, states=["SOLVING"])
    assert JobQueue(store).get(SCOPE, int(job_id)).cancel_requested
