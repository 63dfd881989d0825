"""The whole week as a script through the installed `solvereign` command, on a temporary store:
import → solve → show-run → publish → lock, and the approval records it leaves.

Once with the bundled demo week (`solvereign demo`), once with the real Wien week when
../shared/data is present. The steps of the script run as subprocesses, as a dispatcher would type them; the extra
looks around them (JSON views, listings) run in-process to keep the suite fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_world import (
    LOCK_REASON,
    REASON,
    SHARED_DIR,
    Result,
    cli,
    run_solvereign,
    solve,
)

NOW = "2026-01-01T12:00"  # a Thursday: the demo week is the one from Monday 2026-01-05, lock window open
WEEK = "2026-01-05"
PUBLISH_CONDITIONS = {"role_publish", "state_audited", "audits_pass", "coverage_100", "kill_switch_off", "site_enabled", "reason_given"}
LOCK_CONDITIONS = {"role_lock", "state_published", "audits_pass", "coverage_100", "kill_switch_off", "site_enabled", "within_window", "reason_given"}


def ok(r: Result) -> Result:
    assert r.code == 0, r
    assert "Traceback" not in r.err
    return r


def check_show_run(db: Path, run_id: int, login: str) -> dict:
    text = ok(run_solvereign(db, "show-run", str(run_id), login=login, now=NOW)).out
    assert f"run {run_id} · wien · week of {WEEK}" in text
    assert "audits 7/7" in text and "AUDITED" in text
    assert "lower bound" in text and "gap" in text
    assert "solver stages" in text and "construct" in text  # what each solver stage did, stored with the run
    doc = ok(cli(db, "show-run", str(run_id), "--json", login=login, now=NOW)).json
    stages = doc["solver"]["stages"]
    assert [st["name"] for st in stages][:2] == ["blocks", "construct"] and all(st["seconds"] >= 0 for st in stages)
    run = doc["run"]
    assert run["state"] == "AUDITED"
    assert run["audits_passed"] == run["audits_total"] == 7
    assert run["assigned_count"] == run["instance_count"] > 0
    assert doc["kpis"]["coverage"] == 1.0 and {c["name"] for c in doc["kpis"]["checks"]} >= {"coverage", "pt_ratio"}
    assert doc["lower_bound"]["value"] <= doc["kpis"]["drivers"]
    assert doc["actions"]["publish"]["possible"] is True
    assert doc["actions"]["lock"]["possible"] is False
    assert any(f"publish {run_id}" in step for step in doc["next_steps"])
    return doc


def check_records(db: Path, run_id: int, login: str, *, publisher: str, locker: str, locker_role: str) -> list[dict]:
    records = ok(run_solvereign(db, "log", str(run_id), "--json", login=login, now=NOW)).json["records"]
    actions = [r["action"] for r in records]
    assert actions[:5] == ["queue", "solve", "solved", "audit", "audited"]
    assert actions[-2:] == ["publish", "lock"]
    steps = [(r["from_state"], r["to_state"]) for r in records]
    assert steps[0] == (None, "QUEUED") and steps[-2:] == [("AUDITED", "PUBLISHED"), ("PUBLISHED", "LOCKED")]
    publish, lock = records[-2], records[-1]
    assert publish["actor"] == publisher and publish["reason"] == REASON
    assert PUBLISH_CONDITIONS <= set(publish["conditions_met"])
    assert lock["actor"] == locker and lock["role"] == locker_role and lock["reason"] == LOCK_REASON
    assert LOCK_CONDITIONS <= set(lock["conditions_met"])
    assert all(r["plan_id"] == run_id for r in records)
    assert all(r["at"].startswith("2026-01-01T11:00") for r in records)  # --now, stored in UTC
    seqs = [r["seq"] for r in records]
    assert seqs == sorted(seqs)
    for before, after in zip(records, records[1:]):  # one plan alone on its site: consecutive links
        assert after["prev_hash"] == before["hash"]
    verify = ok(run_solvereign(db, "log", "--verify", login=login, now=NOW))
    assert "keyed hash chain verifies" in verify.out and "TAMPERED" not in verify.out
    doc = ok(cli(db, "log", "--verify", "--json", login=login, now=NOW)).json
    assert doc["ok"] is True and doc["sites"][0]["records"] == len(records)
    return records


def test_demo_week_review_publish_lock(tmp_path):
    db = tmp_path / "demo.duckdb"
    me = "dana"
    demo = ok(run_solvereign(db, "demo", "--time-limit", "5", "--json", login=me, now=NOW)).json
    run_id, forecast_id = demo["run_id"], demo["forecast_id"]
    assert demo["state"] == "AUDITED"
    # import: the same demo week again is the same forecast (re-import is idempotent)
    from app.ops.demo import demo_week_bytes

    week_file = tmp_path / "demo_week.csv"
    week_file.write_bytes(demo_week_bytes())
    again = ok(cli(db, "import", str(week_file), "--anchor", WEEK, "--json", login=me, now=NOW)).json
    assert again["forecast_id"] == forecast_id and again["created"] is False and again["status"] == "PASS"
    listed = ok(cli(db, "forecasts", "--json", login=me, now=NOW)).json["forecasts"]
    assert [f["id"] for f in listed] == [forecast_id]

    doc = check_show_run(db, run_id, me)
    assert doc["has_warnings"] is False, "the demo week must be publishable by one approver"
    rerun = ok(cli(db, "demo", "--json", login=me, now=NOW)).json  # a second demo reuses store, week and run
    assert (rerun["run_id"], rerun["forecast_id"]) == (run_id, forecast_id)
    stranger = cli(db, "demo", login="mallory", now=NOW)  # another OS user does not become admin of this demo tenant
    assert stranger.code == 2 and "users add mallory --role" in stranger.error_line

    published = ok(run_solvereign(db, "publish", str(run_id), "--reason", REASON, login=me, now=NOW))
    assert "published" in published.out
    locked = ok(run_solvereign(db, "lock", str(run_id), "--reason", LOCK_REASON, login=me, now=NOW))
    assert "locked" in locked.out
    runs = ok(cli(db, "list-runs", "--json", login=me, now=NOW)).json["runs"]
    assert [(r["id"], r["state"]) for r in runs] == [(run_id, "LOCKED")]

    records = check_records(db, run_id, me, publisher=me, locker=me, locker_role="platform_admin")
    assert records[-2]["role"] == "platform_admin"


def test_wien_week_import_solve_review_publish_lock(tmp_path):
    wien = SHARED_DIR / "wien_week_1385.csv"
    if not wien.is_file():
        pytest.skip(f"{wien} not present")
    db = tmp_path / "wien.duckdb"
    admin, dispatcher, lead = "anna", "bernd", "carla"
    ok(cli(db, "init", "--tenant", "lts", "--site", "wien", login=admin, now=NOW))
    ok(cli(db, "users", "add", dispatcher, "--role", "dispatcher", "--tenant", "lts", "--sites", "wien", login=admin, now=NOW))
    ok(cli(db, "users", "add", lead, "--role", "ops_lead", "--tenant", "lts", "--sites", "wien", login=admin, now=NOW))

    imported = ok(run_solvereign(db, "import", str(wien), "--anchor", WEEK, "--json", login=dispatcher, now=NOW)).json
    assert imported["status"] == "PASS" and imported["created"] is True
    assert imported["summary"]["instances"] == 1385 and imported["summary"]["total_hours"] == 6232.5
    forecast_id = imported["forecast_id"]

    solved = solve(db, forecast_id, login=dispatcher, now=NOW, time_limit=10, subprocess_mode=True)
    assert solved.code == 0, solved
    assert "Traceback" not in solved.err
    run_id = solved.json["run_id"]
    assert solved.json["state"] == "AUDITED" and solved.json["audits"] == {"passed": 7, "total": 7}

    doc = check_show_run(db, run_id, dispatcher)
    drivers = ok(cli(db, "show-run", str(run_id), "--drivers", login=dispatcher, now=NOW)).out
    assert drivers.count("\n") > doc["kpis"]["drivers"]

    first = ok(run_solvereign(db, "publish", str(run_id), "--reason", REASON, login=dispatcher, now=NOW))
    publisher = dispatcher
    if doc["has_warnings"]:  # a KPI in its alert band: a second approver (ops_lead) publishes
        assert "first approval recorded" in first.out
        ok(run_solvereign(db, "publish", str(run_id), "--reason", REASON, login=lead, now=NOW))
        publisher = lead
    else:
        assert "published" in first.out

    # the admin locks on the dispatcher's behalf: recorded as "anna as bernd"
    locked = ok(run_solvereign(db, "lock", str(run_id), "--reason", LOCK_REASON, login=admin, now=NOW, act_as=dispatcher))
    assert "locked" in locked.out
    again = ok(cli(db, "lock", str(run_id), "--reason", LOCK_REASON, login=dispatcher, now=NOW))
    assert "already LOCKED by" in again.out

    records = check_records(db, run_id, dispatcher, publisher=publisher, locker=f"{admin} as {dispatcher}",
                            locker_role="dispatcher")
    assert [r["action"] for r in records].count("lock") == 1
    status = ok(cli(db, "status", "--json", login=dispatcher, now=NOW)).json
    assert status["login"] == dispatcher and status["role"] == "dispatcher"
    assert [(r["id"], r["state"]) for r in status["latest_runs"]] == [(run_id, "LOCKED")]

