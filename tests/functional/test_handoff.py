"""`solvereign handoff`: the runbook's shift and weekly handoff (§10) from a real store with solved,
published and locked plans; each handoff recorded, so the next lists only what happened since."""

from __future__ import annotations

from ops_world import (
    ADMIN,
    DISPATCHER,
    LOCK_REASON,
    OPS_LEAD,
    ROLE_LOGINS,
    World,
    cli,
    snapshot,
    solve,
)

ACK = "looked at it, solver host was overloaded"


def section(text: str, title: str) -> list[str]:
    """The lines under `### title` up to the next heading or blank line."""
    lines = text.splitlines()
    start = lines.index(f"### {title}") + 1
    end = next((n for n in range(start, len(lines)) if not lines[n] or lines[n].startswith("#")), len(lines))
    return lines[start:end]


def test_shift_handoff_from_the_store_then_only_what_happened_since(fresh_world: World):
    w = fresh_world
    timed = solve(w.db, w.forecasts["clean_b"], login=DISPATCHER, time_limit=0.01, now="2026-01-01T12:10")
    assert cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER, now="2026-01-01T12:30").code == 0
    first = cli(w.db, "handoff", login=OPS_LEAD, now="2026-01-01T13:00")
    assert first.code == 0, first
    text = first.out
    assert text.startswith("## Ops Shift Handoff\n") and "From: olga" in text and "Since: no earlier handoff" in text
    status = section(text, "Current Status")
    assert "- Active plans: 4" in status  # wien's weeks A, B (the new version and the locked one), C; graz is not olga's
    assert f"  - wien 2026-01-12: run {timed.json['run_id']} v2 AUDITED (coverage 20/20, audits 7/7)" in status
    assert f"  - wien 2026-01-12: run {w.runs['published']} v1 LOCKED (coverage 20/20, audits 7/7)" in status
    assert not any("graz" in line for line in status)
    assert f"  - run {w.runs['clean']} (wien 2026-01-05) AUDITED: waiting for publish" not in status  # superseded as week A's newest
    assert any(line.startswith("- Pending approvals: ") for line in status)
    assert any(f"run {timed.json['run_id']} (wien 2026-01-12) AUDITED: waiting for publish" in line for line in status)
    assert "- Open incidents: 1" in status and any("S2 solver_timeout" in line for line in status)
    events = section(text, "Key Events")
    assert any(f"dora publish run {w.runs['published']} (wien): AUDITED → PUBLISHED — Weekly schedule approval" in e for e in events)
    assert any(f"dora lock run {w.runs['published']} (wien): PUBLISHED → LOCKED — {LOCK_REASON}" in e for e in events)
    assert not any(" queue run " in e or " solve run " in e for e in events)  # a solve's inner steps are not events
    assert "From: olga Time: 2026-01-01 13:00" in text

    alert_id = cli(w.db, "alerts", "--json", login=ADMIN).json["alerts"][0]["id"]
    assert cli(w.db, "alerts", "ack", str(alert_id), "--reason", ACK, login=OPS_LEAD, now="2026-01-01T13:30").code == 0
    assert cli(w.db, "reject", str(timed.json["run_id"]), "--reason", "forecast will be re-issued", login=DISPATCHER,
               now="2026-01-01T14:00").code == 0
    second = cli(w.db, "handoff", "--shift", login=DISPATCHER, now="2026-01-01T15:00")
    assert second.code == 0, second
    assert "Since: 2026-01-01 13:00 Europe/Vienna" in second.out
    events = section(second.out, "Key Events")
    assert len(events) == 1 and f"dora reject run {timed.json['run_id']} (wien): AUDITED → REJECTED" in events[0]
    status = section(second.out, "Current Status")
    assert "- Open incidents: 0" in status
    assert not any(f"run {timed.json['run_id']} " in line for line in status)  # rejected: no longer week B's plan
    assert f"  - wien 2026-01-12: run {w.runs['published']} v1 LOCKED (coverage 20/20, audits 7/7)" in status


def test_since_overrides_the_last_handoff_and_week_uses_the_weekly_template(fresh_world: World):
    w = fresh_world
    assert cli(w.db, "handoff", login=OPS_LEAD, now="2026-01-01T13:00").code == 0
    r = cli(w.db, "handoff", "--week", "--since", "2025-12-01T00:00", login=OPS_LEAD, now="2026-01-01T16:00")
    assert r.code == 0, r
    assert r.out.startswith("## Weekly Platform Handoff\n") and "Week: 2026-W01 (2025-12-29)" in r.out
    assert "Outgoing: olga" in r.out and "Since: 2025-12-01 00:00 Europe/Vienna" in r.out
    assert any(f"publish run {w.runs['published']}" in e for e in section(r.out, "Key Events"))
    assert section(r.out, "Incidents This Week") == ["- none"]
    doc = cli(w.db, "handoff", "--week", "--json", login=OPS_LEAD, now="2026-01-01T17:00").json
    assert doc["kind"] == "week" and doc["since"] == "2026-01-01T15:00:00Z"  # the weekly one before it, not the shift's


def test_bad_since_is_one_line_and_records_nothing(world: World):
    before = snapshot(world.db)
    r = cli(world.db, "handoff", "--since", "yesterday", login=OPS_LEAD)
    assert r.code == 1 and r.err.count("\n") == 1 and r.err.startswith("error: --since:"), r
    again = cli(world.db, "handoff", "--json", login=ROLE_LOGINS["on_call"]).json
    assert again["since"] is None  # the refused one was not recorded
    assert snapshot(world.db) == before
