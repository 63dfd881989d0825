"""How the cockpit gets its data fast: the first read started before Textual loads, and the
review of the run under the cursor read ahead while the dispatcher looks at the list."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import tui_world as world
from tui_helpers import open_run, press, running, session, settle, text_of, until

from app.cli import build_parser
from app.commands.tui import build_app
from app.ops.runs import publish


@pytest.fixture
def as_dana(monkeypatch, tmp_path):
    """`solvereign` as dana would start it (her login; logs into a temporary folder)."""
    import app.settings

    monkeypatch.setattr(app.settings, "account_name", lambda uid: "dana")  # her login (tests/os_identity.py)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.handlers[:], root.level = handlers, level


def cockpit_as_started(db: Path):
    args = build_parser().parse_args(["--db", str(db), "--now", world.NOW, "--refresh", "0"])
    app = build_app(args)
    app.animation_level = "none"
    return app


async def test_the_first_read_starts_before_the_ui_and_fills_the_first_screen(store, as_dana):
    app = cockpit_as_started(store)
    first = app._first_read
    assert first is not None  # under way while Textual loaded
    first.result(timeout=30)  # (here: finished before the app runs, as on a warm machine)
    async with running(app) as pilot:
        assert app._first_read is None  # taken by the first screen
        assert list(app.query_one("#runs-table").visible_keys) == ["3", "2", "1"]
        assert "dana (dispatcher)" in text_of(app, "#status-bar")
        await press(pilot, "r")  # later lists are read afresh
        assert list(app.query_one("#runs-table").visible_keys) == ["3", "2", "1"]
        await settle(pilot)


async def test_a_first_read_that_fails_shows_its_reason(tmp_path, as_dana):
    app = cockpit_as_started(tmp_path / "absent.duckdb")
    async with running(app):
        assert app.status is None
        assert "no store at" in text_of(app, "#runs-empty")


async def test_the_run_under_the_cursor_is_read_ahead_and_enter_shows_it(cockpit, store):
    app = cockpit(read_ahead=0.05)
    async with running(app) as pilot:
        await until(pilot, lambda: app.ahead.entry is not None, what="the first run read ahead")
        assert app.ahead.entry.view.run.id == world.BROKEN_RUN  # the cursor starts on run 3
        await press(pilot, "down")  # run 2
        await until(pilot, lambda: app.ahead.entry.view.run.id == world.DEMO_RUN, what="run 2 read ahead")
        await settle(pilot)
        ahead = app.ahead.entry.view

        await pilot.press("enter")  # shown from the read ahead: no store read for it
        assert app.section == "review" and app.run_view is ahead
        assert not [w for w in app.workers if w.group == "run"]
        await settle(pilot)


async def test_a_run_changed_since_it_was_read_ahead_is_read_again(cockpit, store):
    app = cockpit(read_ahead=0.05)
    async with running(app) as pilot:
        await press(pilot, "down")
        await until(pilot, lambda: app.ahead.entry is not None and app.ahead.entry.view.run.id == world.DEMO_RUN)
        await settle(pilot)
        publish(session(store, "dana"), world.DEMO_RUN, "published from the command line")
        await press(pilot, "r")  # the list now shows the run's new state version
        await pilot.press("enter")
        await settle(pilot)
        assert app.run_view is not app.ahead.entry.view
        assert app.run_view.run.state == "PUBLISHED" and "PUBLISHED" in text_of(app, "#review-title")


async def test_opening_a_run_stops_a_pending_read_ahead(cockpit, store):
    app = cockpit(read_ahead=30.0)  # never fires by itself within the test
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        assert app.ahead.timer is None and app.ahead.entry is None
