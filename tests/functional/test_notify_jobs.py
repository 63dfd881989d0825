"""The Wednesday 08:00 send under a fake clock: the server's scheduler and `solvereign notify due`
(one code path) tell the drivers of the coming week's LOCKED plans once at the slot, not before,
and not again after a restart; `solvereign jobs` shows the slot; a site setting moves it."""

from __future__ import annotations

from pathlib import Path

import pytest
from notify_servers import Inbox, channel_env, locked_week
from ops_world import ADMIN, DISPATCHER, SITE, TENANT, World, cli

from app.ops.jobs import NOTIFY_SETTING
from app.server.app import create_app
from engine.clock import parse_now
from storage.scope import Actor, Scope
from storage.store import Store

BEFORE, AFTER = "2026-01-21T07:59", "2026-01-21T08:01"  # the Wednesday before the locked week of 2026-01-26


def _tick(db: Path, now: str) -> list[tuple[int, list[str], list[str]]]:
    """One notification pass of a freshly started server app (a restart each time) under a fake clock."""
    app = create_app(db, parse_now(now), jobs_every=0, job_time_limit=3)
    try:
        return [(r.run_id, r.sent, r.no_contact) for r in app.state.scheduler.notify_tick()]
    finally:
        app.state.solves.shutdown()


def _outbox(db: Path, run_id: int) -> dict[str, str]:
    r = cli(db, "notify", "status", str(run_id), "--json", login=DISPATCHER)
    return {m["driver_id"]: m["state"] for m in r.json["messages"]}


@pytest.fixture
def channels(smtp, webhook, monkeypatch: pytest.MonkeyPatch) -> tuple[Inbox, Inbox]:
    (mail, port), (hook, server) = smtp, webhook
    for k, v in channel_env(port, server).items():
        monkeypatch.setenv(k, v)
    return mail, hook


def test_the_scheduler_tells_the_week_once_at_the_slot_and_not_again_after_a_restart(
    fresh_world: World, tmp_path: Path, channels: tuple[Inbox, Inbox],
) -> None:
    mail, hook = channels
    run_id = locked_week(fresh_world, tmp_path)
    assert _tick(fresh_world.db, BEFORE) == [] and _outbox(fresh_world.db, run_id) == {}
    assert _tick(fresh_world.db, AFTER) == [(run_id, ["N-1", "N-2"], ["N-3"])]
    assert (len(mail.kept), len(hook.kept)) == (1, 1)
    assert _tick(fresh_world.db, AFTER) == []  # restarted: every driver was told
    assert _tick(fresh_world.db, "2026-01-23T12:00") == []  # later that week: still nothing
    assert (mail.attempts, hook.attempts) == (1, 1)
    assert _outbox(fresh_world.db, run_id) == {"N-1": "SENT", "N-2": "SENT", "N-3": "NO_CONTACT"}
    view = cli(fresh_world.db, "jobs", "--json", login=DISPATCHER, now=AFTER).json
    assert view["notify"] == [{"site": SITE, "slot": "WED 08:00 Europe/Vienna", "this_week_at": "2026-01-21T08:00:00+01:00",
                               "fired": True, "due": [], "told": [run_id]}]


def test_notify_due_is_the_timers_command_and_jobs_shows_what_is_due(
    fresh_world: World, tmp_path: Path, channels: tuple[Inbox, Inbox],
) -> None:
    mail, hook = channels
    db = fresh_world.db
    run_id = locked_week(fresh_world, tmp_path)
    early = cli(db, "notify", "due", "--now", BEFORE, login=DISPATCHER, now=None)
    assert early.code == 0 and "nothing due" in early.out, early
    jobs = cli(db, "jobs", login=DISPATCHER, now=BEFORE)
    assert f"weekly notification ({SITE}): WED 08:00 Europe/Vienna" in jobs.out and "(not yet)" in jobs.out, jobs
    assert cli(db, "jobs", "--json", login=DISPATCHER, now=AFTER).json["notify"][0]["due"] == [run_id]

    r = cli(db, "notify", "due", "--now", AFTER, "--json", login=DISPATCHER, now=None)
    assert r.code == 0, r
    assert [(x["run_id"], x["sent"], x["no_contact"]) for x in r.json["reports"]] == [(run_id, ["N-1", "N-2"], ["N-3"])]
    again = cli(db, "notify", "due", "--json", login=DISPATCHER, now=AFTER)  # the global --now works too
    assert again.code == 0 and again.json["reports"] == []
    assert (mail.attempts, hook.attempts) == (1, 1)
    assert _tick(db, AFTER) == []  # the scheduler sees the same outbox
    told = cli(db, "jobs", login=DISPATCHER, now=AFTER).out
    assert f"due none, told {run_id}" in told, told


def test_a_site_setting_moves_the_slot_and_a_bad_one_is_one_line(
    fresh_world: World, tmp_path: Path, channels: tuple[Inbox, Inbox],
) -> None:
    db = fresh_world.db
    run_id = locked_week(fresh_world, tmp_path)
    store, scope = Store(db), Scope(tenant=TENANT, sites=frozenset({SITE}))
    admin = Actor(name=ADMIN, role="platform_admin")
    store.settings.put(scope, NOTIFY_SETTING, "TUE 18:00", actor=admin, reason="tenant default")
    store.settings.put(scope, f"{NOTIFY_SETTING}:{SITE}", "THU 10:00", actor=admin, reason="wien tells later")
    assert _tick(db, AFTER) == []  # Wednesday 08:01: before the site's Thursday 10:00
    assert cli(db, "jobs", "--json", login=DISPATCHER, now=AFTER).json["notify"][0]["slot"] == "THU 10:00 Europe/Vienna"
    assert [t[0] for t in _tick(db, "2026-01-22T10:01")] == [run_id]

    store.settings.put(scope, f"{NOTIFY_SETTING}:{SITE}", "thursday", actor=admin, reason="a typo in the slot")
    r = cli(db, "notify", "due", login=DISPATCHER, now=AFTER)
    assert r.code == 1 and f"{NOTIFY_SETTING}:{SITE} 'thursday' is not like 'TUE 08:00'" in r.error_line, r
    assert "Traceback" not in r.err
    assert _tick(db, AFTER) == []  # the scheduler logs it and goes on
