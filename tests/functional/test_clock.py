"""What time it is: a clock override is for platform admins, drills and tests, and says so.

The suite runs with SOLVEREIGN_DRILL=1 (tests/conftest.py); these tests take it away to see the
policy a dispatcher meets on a live store.
"""

from __future__ import annotations

import pytest
from ops_world import ADMIN, DISPATCHER, LOCK_REASON, REASON, SITE, TENANT, World, cli, write


@pytest.fixture
def live(monkeypatch):
    monkeypatch.delenv("SOLVEREIGN_DRILL", raising=False)


@pytest.mark.parametrize("args", [("status",), ("lock", "2", "--reason", LOCK_REASON), ("list-runs",)])
def test_a_dispatcher_cannot_set_the_clock(live, world: World, args):
    r = cli(world.db, *args, login=DISPATCHER)  # cli() passes --now 2026-01-01T12:00
    assert r.code == 2 and "--now" in r.error_line and "platform_admin" in r.error_line, r


def test_the_environment_clock_is_refused_too(live, world: World, monkeypatch):
    monkeypatch.setenv("SOLVEREIGN_NOW", "2026-01-01T12:00")
    r = cli(world.db, "status", login=DISPATCHER, now=None)
    assert r.code == 2 and "SOLVEREIGN_NOW" in r.error_line, r


def test_as_does_not_lend_the_admins_clock_to_anyone_else(live, world: World):
    ok = cli(world.db, "status", "--json", login=ADMIN, act_as=DISPATCHER)
    assert ok.code == 0, ok  # the person at the keyboard is the admin: the override is theirs


def test_an_overridden_action_records_both_times_and_says_so(live, fresh_world: World):
    w = fresh_world
    run = str(w.runs["published"])
    r = cli(w.db, "lock", run, "--reason", LOCK_REASON, login=ADMIN)
    assert r.code == 0, r
    rec = cli(w.db, "log", run, "--json", login=ADMIN).json["records"][-1]
    assert rec["action"] == "lock" and rec["clock_override"] is True
    assert rec["at"].startswith("2026-01-01T11:00") and rec["real_at"][:4] >= "2026" and rec["real_at"] != rec["at"]
    log = cli(w.db, "log", run, login=ADMIN).out.splitlines()[-1]
    assert "[clock override: real time " in log, log
    show = cli(w.db, "show-run", run, login=ADMIN).out
    assert "clock override: real time" in show


def test_a_kill_switch_under_an_override_keeps_the_real_time(live, fresh_world: World):
    w = fresh_world
    r = cli(w.db, "kill-switch", "on", "--reason", "incident 4711: stop publishing", login=ADMIN)
    assert r.code == 0 and "[clock override: real time " in r.out, r
    ks = cli(w.db, "status", "--json", login=ADMIN).json["kill_switch"]
    assert ks["set_at"].startswith("2026-01-01T11:00") and ks["real_at"] and ks["real_at"] != ks["set_at"]
    assert "[clock override: real time " in cli(w.db, "status", login=ADMIN).out
    off = cli(w.db, "kill-switch", "off", "--reason", "incident 4711 is resolved", login=ADMIN, now=None)
    assert off.code == 0 and "clock override" not in off.out
    assert cli(w.db, "status", "--json", login=ADMIN, now=None).json["kill_switch"]["real_at"] is None


def test_without_an_override_records_say_nothing_of_it(live, fresh_world: World):
    w = fresh_world
    run = str(w.runs["clean"])
    r = cli(w.db, "publish", run, "--reason", REASON, login=DISPATCHER, now=None)  # the real clock: anyone may
    assert r.code == 0, r
    rec = cli(w.db, "log", run, "--json", login=DISPATCHER, now=None).json["records"][-1]
    assert rec["action"] == "publish" and rec["clock_override"] is False and rec["real_at"] == rec["at"]
    assert "clock override" not in cli(w.db, "log", run, login=DISPATCHER, now=None).out.splitlines()[-1]


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00", "1999-12-31T12:00", "2101-01-01T00:00"])
def test_dates_outside_2000_to_2100_are_refused_at_the_door(world: World, now: str):
    r = cli(world.db, "status", login=ADMIN, now=now)
    assert r.code == 1 and "--now" in r.error_line and "Traceback" not in r.err, r


@pytest.mark.parametrize("anchor", ["9999-12-27", "1970-01-05"])
def test_an_anchor_outside_2000_to_2100_fails_validation(tmp_path, anchor: str):
    path = write(tmp_path / "w.txt", "Mo 06:00-10:00 2 Fahrer\n")
    r = cli(None, "validate", str(path), "--tenant", TENANT, "--site", SITE, "--anchor", anchor, "--json", login=ADMIN)
    assert r.code == 2 and r.json["status"] == "FAIL"
    rows = [row for g in r.json["gates"] for row in g["rows"]]
    assert any(row["code"] == "OUT_OF_RANGE" for row in rows), rows


@pytest.mark.parametrize("week", ["9999-12-27", "1900-01-01"])
def test_a_week_filter_outside_the_range_is_one_line(world: World, week: str):
    r = cli(world.db, "list-runs", "--week", week, login=ADMIN)
    assert r.code == 1 and "outside the years" in r.error_line, r


def test_publish_under_a_drill_override_is_recorded_as_one(fresh_world: World):
    w = fresh_world  # drill mode (the suite's default): a dispatcher's --now is honoured and recorded
    r = cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER)
    assert r.code == 0, r
    rec = cli(w.db, "log", str(w.runs["clean"]), "--json", login=DISPATCHER).json["records"][-1]
    assert rec["clock_override"] is True and rec["real_at"] != rec["at"]
