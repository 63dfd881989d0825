"""The Tuesday 08:00 solve: fires once under a fake clock, not before its slot, not again after a restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from live_server import client, live_server, mint_key
from ops_world import ADMIN, DISPATCHER, SITE, TENANT, World, balanced_week, cli, write

from app.ops.jobs import SETTING, parse_slot, slot_of
from app.server.app import create_app
from engine.clock import parse_now
from storage.scope import Actor, Scope
from storage.store import Store

COMING = "2026-02-02"  # the Monday after the fake clock's week
BEFORE, AFTER = "2026-01-27T07:59", "2026-01-27T08:01"  # Tuesday, Europe/Vienna


def _runs_of(db: Path, forecast_id: int) -> list[int]:
    r = cli(db, "list-runs", "--week", COMING, "--json", login=DISPATCHER, now=None)
    return [run["id"] for run in r.json["runs"] if run["forecast_id"] == forecast_id]


def _import(w: World, tmp: Path) -> int:
    path = write(tmp / "coming.csv", balanced_week(1, shift=120))
    r = cli(w.db, "import", str(path), "--anchor", COMING, "--json", login=DISPATCHER)
    assert r.code == 0, r
    return int(r.json["forecast_id"])


def _tick(db: Path, now: str) -> list[str]:
    """One scheduler pass of a server app under a fake clock; waits for the jobs it queued."""
    app = create_app(db, parse_now(now), jobs_every=0, job_time_limit=3)
    jobs = app.state.scheduler.tick()
    deadline = time.monotonic() + 60
    while not all(j.finished for j in jobs):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    app.state.solves.shutdown()
    return [j.state for j in jobs]


def test_the_weekly_solve_fires_once_and_not_again_after_a_restart(fresh_world: World, tmp_path: Path) -> None:
    fid = _import(fresh_world, tmp_path)
    assert _tick(fresh_world.db, BEFORE) == [] and _runs_of(fresh_world.db, fid) == []
    assert _tick(fresh_world.db, AFTER) == ["AUDITED"]
    runs = _runs_of(fresh_world.db, fid)
    assert len(runs) == 1
    assert _tick(fresh_world.db, AFTER) == []  # a restarted server: the run exists, nothing is due
    assert _runs_of(fresh_world.db, fid) == runs
    creator = cli(fresh_world.db, "show-run", str(runs[0]), "--json", login=DISPATCHER).json["run"]["created_by"]
    assert creator == "scheduler"


def test_the_server_loop_runs_it_and_jobs_shows_it(fresh_world: World, tmp_path: Path) -> None:
    fid = _import(fresh_world, tmp_path)
    key = mint_key(fresh_world.db, DISPATCHER)
    with live_server(fresh_world.db, now=AFTER) as url:
        with client(url, key) as c:
            deadline = time.monotonic() + 60
            while not c.get("/api/v1/jobs").json()["solved"]:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            view = c.get("/api/v1/jobs").json()
    assert view["fired"] and view["slot"] == "TUE 08:00 Europe/Vienna" and view["coming_week"] == COMING
    assert len(_runs_of(fresh_world.db, fid)) == 1
    local = cli(fresh_world.db, "jobs", login=DISPATCHER, now=AFTER)
    assert local.code == 0 and "TUE 08:00 Europe/Vienna" in local.out and "(fired)" in local.out


def test_a_tenant_setting_moves_the_slot(fresh_world: World, tmp_path: Path) -> None:
    slot = parse_slot("wed 17:30")
    assert (slot.weekday, slot.at.hour, slot.at.minute) == (2, 17, 30)
    with pytest.raises(ValueError, match="TUE 08:00"):
        parse_slot("tuesday")
    store = Store(fresh_world.db)
    scope = Scope(tenant=TENANT, sites=frozenset({SITE}))
    store.settings.put(scope, SETTING, "WED 17:30", actor=Actor(name=ADMIN, role="platform_admin"), reason="later solve")
    assert slot_of(store, scope) == slot
    fid = _import(fresh_world, tmp_path)
    assert _tick(fresh_world.db, AFTER) == []  # Tuesday 08:01 is before Wednesday 17:30
    assert _tick(fresh_world.db, "2026-01-28T17:31") == ["AUDITED"] and len(_runs_of(fresh_world.db, fid)) == 1
