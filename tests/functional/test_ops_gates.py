"""The gates of publish and lock (SPEC §6), through the command line:
kill switch, site gate, lock window with --now, second approver, reason length,
idempotent lock, supersede, reject, and a tampered approval log.
"""

from __future__ import annotations

import duckdb
import pytest

from ops_world import (
    ADMIN,
    DISPATCHER,
    DISPATCHER2,
    LOCK_REASON,
    OPS_LEAD,
    REASON,
    RIVAL,
    ROLE_LOGINS,
    SITE,
    WEEK_B,
    Result,
    World,
    cli,
    snapshot,
    solve,
)


def ok(r: Result) -> Result:
    assert r.code == 0, r
    return r


def blocked(r: Result, *words: str) -> str:
    assert r.code == 2, r
    line = r.error_line
    assert line.startswith("error: blocked:"), line
    for word in words:
        assert word in line, line
    return line


def show(w: World, run_id: int, login: str = ADMIN) -> dict:
    return ok(cli(w.db, "show-run", str(run_id), "--json", login=login)).json


def state(w: World, run_id: int) -> str:
    return show(w, run_id)["run"]["state"]


def records(w: World, run_id: int) -> list[dict]:
    return ok(cli(w.db, "log", str(run_id), "--json", login=ADMIN)).json["records"]


# --- kill switch -------------------------------------------------------------------------


def test_kill_switch_refuses_publish_and_lock_while_viewing_and_solving_work(fresh_world: World):
    w = fresh_world
    ok(cli(w.db, "kill-switch", "on", "--reason", "incident 4711: wrong tours", login=ADMIN))
    before = snapshot(w.db)
    blocked(cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER), "kill switch is on", "incident 4711")
    blocked(cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER), "kill switch is on")
    assert snapshot(w.db) == before
    # viewing works and says why
    view = show(w, w.runs["clean"], DISPATCHER)
    assert view["actions"]["publish"]["possible"] is False and "kill switch" in view["actions"]["publish"]["why_not"]
    assert "blocked: kill switch is on" in ok(cli(w.db, "show-run", str(w.runs["clean"]), login=DISPATCHER)).out
    ok(cli(w.db, "show-run", str(w.runs["clean"]), login=ROLE_LOGINS["viewer"]))  # a viewer sees it too
    status = ok(cli(w.db, "status", "--json", login=DISPATCHER)).json
    assert status["kill_switch"]["on"] is True and status["kill_switch"]["set_by"] == ADMIN
    assert "kill switch ON" in ok(cli(w.db, "status", login=DISPATCHER)).out
    ok(cli(w.db, "list-runs", login=DISPATCHER))
    ok(cli(w.db, "log", "--verify", login=DISPATCHER))
    # solving (and importing) still work
    solved = solve(w.db, w.forecasts["clean_a"], login=DISPATCHER)
    assert solved.code == 0 and solved.json["state"] == "AUDITED", solved
    # reject is no publish: still allowed
    ok(cli(w.db, "reject", str(solved.json["run_id"]), "--reason", "duplicate run for drill", login=DISPATCHER))
    # off again: publish goes through
    ok(cli(w.db, "kill-switch", "off", "--reason", "incident 4711 resolved", login=ADMIN))
    ok(cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER))
    assert state(w, w.runs["clean"]) == "PUBLISHED"


def test_kill_switch_needs_a_reason_of_ten_characters(world: World):
    before = snapshot(world.db, ADMIN)
    blocked(cli(world.db, "kill-switch", "on", "--reason", "  short  ", login=ADMIN), "at least 10 visible characters")
    assert snapshot(world.db, ADMIN) == before


def test_kill_switch_and_site_gate_belong_to_one_tenant(fresh_world: World):
    """Tenant rival (also with a site called wien) switching off changes nothing for acme."""
    w = fresh_world
    ok(cli(w.db, "kill-switch", "on", "--reason", "rival's own incident", login=RIVAL))
    ok(cli(w.db, "sites", "disable", SITE, "--reason", "rival pauses its wien", login=RIVAL))
    blocked(cli(w.db, "publish", str(w.runs["rival"]), "--reason", REASON, login=RIVAL), "kill switch is on")
    assert ok(cli(w.db, "status", "--json", login=DISPATCHER)).json["kill_switch"]["on"] is False
    ok(cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER))
    ok(cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER))


# --- site gate -----------------------------------------------------------------------------


def test_disabled_site_runs_in_shadow_mode(fresh_world: World):
    w = fresh_world
    ok(cli(w.db, "sites", "disable", SITE, "--reason", "pilot paused for wien", login=ADMIN))
    sites = {s["code"]: s for s in ok(cli(w.db, "sites", "list", "--json", login=ADMIN)).json["sites"]}
    assert sites[SITE]["enabled"] is False and sites["graz"]["enabled"] is True
    blocked(cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER), f"site {SITE}", "shadow mode")
    blocked(cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER), "shadow mode")
    assert "SHADOW MODE" in ok(cli(w.db, "status", login=DISPATCHER)).out
    # solve and review only
    solved = solve(w.db, w.forecasts["clean_a"], login=DISPATCHER)
    assert solved.code == 0 and solved.json["state"] == "AUDITED", solved
    assert "shadow mode" in show(w, solved.json["run_id"], DISPATCHER)["actions"]["publish"]["why_not"]
    # graz is unaffected
    ok(cli(w.db, "publish", str(w.runs["graz"]), "--reason", REASON, login=ADMIN))
    # enabled again: publish goes through
    ok(cli(w.db, "sites", "enable", SITE, "--reason", "pilot resumes for wien", login=ADMIN))
    ok(cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER))


# --- lock window -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "code"),
    [
        ("2026-01-10T09:00", 0),  # days before
        ("2026-01-12T06:14", 0),  # a minute before the first tour (06:15 Vienna)
        ("2026-01-12T05:14:00+00:00", 0),  # the same minute in UTC
        ("2026-01-12T06:15", 2),  # the first tour starts: closed
        ("2026-01-12T05:15:00Z", 2),  # the same instant in UTC
        ("2026-01-13T12:00", 2),  # mid-week
    ],
)
def test_lock_window_by_the_injectable_clock(fresh_world: World, now: str, code: int):
    w = fresh_world
    r = cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER, now=now)
    assert r.code == code, r
    if code == 2:
        blocked(r, "lock window closed")
        assert state(w, w.runs["published"]) == "PUBLISHED"
    else:
        assert state(w, w.runs["published"]) == "LOCKED"
        lock = records(w, w.runs["published"])[-1]
        assert lock["action"] == "lock" and "within_window" in lock["conditions_met"]


def test_now_from_the_environment(fresh_world: World, monkeypatch):
    w = fresh_world
    monkeypatch.setenv("SOLVEREIGN_NOW", "2026-01-13T12:00")
    r = cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER, now=None)
    blocked(r, "lock window closed")
    monkeypatch.setenv("SOLVEREIGN_NOW", "2026-01-11T12:00")
    ok(cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER, now=None))


# --- second approver ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["kpi_alert", "warn_forecast"])
def test_plan_with_warnings_needs_a_second_different_ops_lead(fresh_world: World, kind: str):
    w = fresh_world
    run = w.runs[kind]
    view = show(w, run, DISPATCHER)
    assert view["has_warnings"] is True
    if kind == "warn_forecast":
        assert view["run"]["forecast_status"] == "WARN"
        assert not any(c["status"] == "ALERT" for c in view["kpis"]["checks"])
    else:
        assert any(c["status"] == "ALERT" for c in view["kpis"]["checks"])
    assert "first of two approvals" in view["actions"]["publish"]["transition"]

    first = ok(cli(w.db, "publish", str(run), "--reason", REASON, login=DISPATCHER))
    assert "first approval recorded" in first.out and "ops_lead" in first.out
    view = show(w, run, DISPATCHER)
    assert view["run"]["state"] == "AUDITED" and view["awaiting_second_approver"] is True
    assert any("second approver" in step for step in view["next_steps"])
    waiting = ok(cli(w.db, "status", "--json", login=OPS_LEAD)).json["awaiting_second_approver"]
    assert [r["id"] for r in waiting] == [run]
    assert f"run {run}" in ok(cli(w.db, "status", login=OPS_LEAD)).out

    before = snapshot(w.db, ADMIN)
    blocked(cli(w.db, "publish", str(run), "--reason", REASON, login=DISPATCHER), "different user", DISPATCHER)
    # a platform admin acting as the first approver is the same user
    blocked(cli(w.db, "publish", str(run), "--reason", REASON, login=ADMIN, act_as=DISPATCHER), "different user")
    blocked(cli(w.db, "publish", str(run), "--reason", REASON, login=DISPATCHER2), "ops_lead", "dispatcher")
    assert snapshot(w.db, ADMIN) == before
    assert "different user" in show(w, run, DISPATCHER)["actions"]["publish"]["why_not"]

    second = ok(cli(w.db, "publish", str(run), "--reason", "Second approval: checked PT share", login=OPS_LEAD))
    assert "published" in second.out
    assert state(w, run) == "PUBLISHED"
    recs = records(w, run)
    approve, publish = recs[-2], recs[-1]
    assert (approve["action"], approve["actor"], approve["role"]) == ("approve", DISPATCHER, "dispatcher")
    assert (approve["from_state"], approve["to_state"]) == ("AUDITED", "AUDITED")
    assert "first_approval" in approve["conditions_met"] and approve["reason"] == REASON
    assert (publish["action"], publish["actor"], publish["role"]) == ("publish", OPS_LEAD, "ops_lead")
    assert "second_approver" in publish["conditions_met"]
    assert ok(cli(w.db, "status", "--json", login=OPS_LEAD)).json["awaiting_second_approver"] == []


def test_ops_lead_first_still_needs_another_approver(fresh_world: World):
    w = fresh_world
    run = str(w.runs["kpi_alert"])
    assert "first approval recorded" in ok(cli(w.db, "publish", run, "--reason", REASON, login=OPS_LEAD)).out
    blocked(cli(w.db, "publish", run, "--reason", REASON, login=OPS_LEAD), "different user")
    ok(cli(w.db, "publish", run, "--reason", REASON, login=ADMIN))  # platform_admin may second
    assert state(w, int(run)) == "PUBLISHED"


def test_plan_without_warnings_is_published_by_one_dispatcher(fresh_world: World):
    w = fresh_world
    assert show(w, w.runs["clean"])["has_warnings"] is False
    r = ok(cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, "--json", login=DISPATCHER))
    assert r.json["run"]["state"] == "PUBLISHED"


# --- reasons -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "too short", "  123456789  ", "\t12345678\n"])
@pytest.mark.parametrize("action", ["publish", "lock", "reject"])
def test_reason_under_ten_characters_is_refused(world: World, action: str, reason: str):
    run = world.runs["published" if action == "lock" else "clean"]
    r = cli(world.db, action, str(run), "--reason", reason, login=DISPATCHER)
    n = len(reason.strip())
    blocked(r, f"at least 10 visible characters (has {n})")


def test_reason_length_counts_after_trimming(fresh_world: World):
    w = fresh_world
    ok(cli(w.db, "publish", str(w.runs["clean"]), "--reason", "   abcd 12345   ", login=DISPATCHER))
    rec = records(w, w.runs["clean"])[-1]
    assert rec["action"] == "publish" and rec["reason"] == "abcd 12345"


def test_reason_refusals_leave_the_store_unchanged(world: World):
    """Runs last in this module on the shared copy: nothing above that was refused wrote anything."""
    runs = {r["id"]: r["state"] for r in ok(cli(world.db, "list-runs", "--json", login=ADMIN)).json["runs"]}
    assert runs[world.runs["clean"]] == "AUDITED" and runs[world.runs["published"]] == "PUBLISHED"
    actions = [rec["action"] for rec in records(world, world.runs["clean"])]
    assert actions == ["queue", "solve", "solved", "audit", "audited"]


# --- lock: idempotent, supersede ------------------------------------------------------------


def test_lock_is_idempotent(fresh_world: World):
    w = fresh_world
    run = str(w.runs["published"])
    first = ok(cli(w.db, "lock", run, "--reason", LOCK_REASON, login=DISPATCHER))
    assert "locked (PUBLISHED → LOCKED)" in first.out
    before = snapshot(w.db, ADMIN)
    for login in (DISPATCHER, OPS_LEAD):
        again = ok(cli(w.db, "lock", run, "--reason", LOCK_REASON, login=login))
        assert "already LOCKED by" in again.out
    assert snapshot(w.db, ADMIN) == before
    assert [r["action"] for r in records(w, int(run))].count("lock") == 1
    # a locked plan is immutable
    blocked(cli(w.db, "reject", run, "--reason", "too late to reject", login=DISPATCHER), "LOCKED")
    blocked(cli(w.db, "publish", run, "--reason", REASON, login=DISPATCHER), "LOCKED")


def test_locking_a_newer_version_supersedes_the_older(fresh_world: World):
    w = fresh_world
    old = w.runs["published"]
    ok(cli(w.db, "lock", str(old), "--reason", LOCK_REASON, login=DISPATCHER))
    solved = solve(w.db, w.forecasts["clean_b"], login=DISPATCHER)
    assert solved.code == 0, solved
    new = solved.json["run_id"]
    newer = show(w, new)["run"]
    assert newer["week_anchor"] == WEEK_B and newer["version"] == show(w, old)["run"]["version"] + 1
    ok(cli(w.db, "publish", str(new), "--reason", REASON, login=DISPATCHER))
    locked = ok(cli(w.db, "lock", str(new), "--reason", "Final lock, corrected", login=OPS_LEAD))
    assert f"superseded plan {old}" in locked.out
    week = {r["id"]: r["state"] for r in ok(cli(w.db, "list-runs", "--week", WEEK_B, "--json", login=ADMIN)).json["runs"]}
    assert week == {old: "SUPERSEDED", new: "LOCKED"}
    sup = records(w, old)[-1]
    assert (sup["action"], sup["from_state"], sup["to_state"]) == ("supersede", "LOCKED", "SUPERSEDED")
    assert sup["actor"] == OPS_LEAD and str(new) in sup["reason"]
    # the superseded plan is immutable, and the log still verifies
    blocked(cli(w.db, "lock", str(old), "--reason", LOCK_REASON, login=DISPATCHER), "SUPERSEDED")
    ok(cli(w.db, "log", "--verify", login=ADMIN))


def test_lock_needs_published(world: World):
    blocked(cli(world.db, "lock", str(world.runs["clean"]), "--reason", LOCK_REASON, login=DISPATCHER),
            "plan is AUDITED", "needs PUBLISHED")


# --- reject --------------------------------------------------------------------------------


def test_rejected_plan_can_no_longer_be_published(fresh_world: World):
    w = fresh_world
    ok(cli(w.db, "reject", str(w.runs["published"]), "--reason", "forecast will be re-issued", login=DISPATCHER))
    assert state(w, w.runs["published"]) == "REJECTED"
    ok(cli(w.db, "reject", str(w.runs["clean"]), "--reason", "forecast will be re-issued", login=DISPATCHER))
    blocked(cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER), "REJECTED")
    blocked(cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER), "REJECTED")
    blocked(cli(w.db, "reject", str(w.runs["clean"]), "--reason", "forecast will be re-issued", login=DISPATCHER),
            "REJECTED", "AUDITED or PUBLISHED")
    rec = records(w, w.runs["clean"])[-1]
    assert (rec["action"], rec["to_state"], rec["reason"]) == ("reject", "REJECTED", "forecast will be re-issued")


# --- the log detects tampering ----------------------------------------------------------------


def test_log_verify_detects_a_changed_record(fresh_world: World):
    w = fresh_world
    assert ok(cli(w.db, "log", "--verify", "--json", login=ADMIN)).json["ok"] is True
    con = duckdb.connect(str(w.db))
    try:
        con.execute("UPDATE approvals SET reason = 'nothing to see' WHERE action = 'publish'")
    finally:
        con.close()
    r = cli(w.db, "log", "--verify", login=ADMIN)
    assert r.code == 1, r
    assert "BROKEN" in r.out and f"site {SITE}" in r.out
    assert cli(w.db, "log", "--verify", "--json", login=ADMIN).json["ok"] is False
