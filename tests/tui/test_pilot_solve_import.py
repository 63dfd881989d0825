"""Pilot tests of s solve (progress, cancel, quit while solving), i import and d demo."""

from __future__ import annotations

import time

import tui_world as world
from tui_helpers import press, running, session, settle, tap, text_of, until
from textual.widgets import Input

from app.ops.forecasts import list_forecasts
from app.ops.session import open_session
from app.tui.dialogs.confirm import ConfirmDialog
from app.tui.screens.importer import ImportScreen
from app.tui.screens.solve import SolveScreen
from fixtures.generator import WeekShape, generate_week


def long_forecast(store, tmp_path) -> int:
    """A 2,500-tour week of varied durations: its solve runs long enough to be watched and cancelled."""
    from app.ops.forecasts import import_forecast

    path = tmp_path / "long_week.csv"
    path.write_text(generate_week(2500, seed=5, shape=WeekShape(varied=True)), encoding="utf-8")
    return import_forecast(session(store), path, site=world.SITE, anchor=world.ANCHOR).forecast.id


def progress(app) -> str:
    screen = next(s for s in reversed(app.screen_stack) if isinstance(s, SolveScreen))
    return str(screen.query_one("#solve-progress").render())


async def start_solve(pilot, forecast_id: int, limit: str) -> None:
    """On the solve screen: set the time limit, pick the forecast, enter."""
    app = pilot.app
    table = app.screen.query_one("#solve-forecasts")
    limit_box = app.screen.query_one("#solve-limit", Input)
    limit_box.value = limit
    table.focus()
    assert table.select_key(str(forecast_id))
    await pilot.pause()
    tap(app, "enter")
    await until(pilot, lambda: app.screen.running or app.screen._done_run is not None, what="the solve to start")


async def test_solve_a_forecast_then_cancel_a_long_solve(cockpit, store, tmp_path):
    long_id = long_forecast(store, tmp_path)
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "s")
        assert isinstance(app.screen, SolveScreen)
        forecasts = app.screen.query_one("#solve-forecasts")
        assert list(forecasts.visible_keys) == [str(long_id), "2", "1"] and app.focused is forecasts

        # the demo week solves to optimal at once, to the plan run 2 has: the screen says both;
        # enter opens the new run
        await start_solve(pilot, 2, "10")
        await settle(pilot)
        assert progress(app).startswith(
            "run 4 AUDITED — identical to run 2 (same output_hash): 25 drivers, 0 PT, audits 7/7 · enter opens it")
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1 and app.section == "review" and app.run_view.run.id == 4
        assert "4" in app.query_one("#runs-table").visible_keys

        # a long solve (60 s limit): progress arrives while it runs; esc cancels and keeps the best plan
        await press(pilot, "s")
        started = time.monotonic()
        await start_solve(pilot, long_id, "60")
        await until(pilot, lambda: "best" in progress(app), what="solver progress")
        assert app.screen.running
        text = progress(app)
        assert text.startswith("SOLVING · ") and "best " in text and " drivers, " in text and "· bound " in text and "/ 60 s" in text
        tap(app, "escape")
        await until(pilot, lambda: progress(app).startswith(("cancelling…", "run 5")), what="esc to cancel")
        assert isinstance(app.screen, SolveScreen)  # esc while solving cancels, it does not leave
        await until(pilot, lambda: not app.screen.running, timeout=30, what="the solve to stop")
        assert time.monotonic() - started < 30
        assert progress(app).startswith("run 5 AUDITED (stopped: best plan so far)")  # (maybe the plan of run 1)
        await press(pilot, "escape")  # back: opens the stopped run
        assert len(app.screen_stack) == 1 and app.run_view.run.id == 5
    run = session(store).store.plans.get(session(store).scope, 5)
    assert run.state == "AUDITED" and run.kpis["solver_status"] == "STOPPED" and run.audits_passed == 7


async def test_quit_asks_first_while_a_solve_runs(cockpit, store, tmp_path):
    long_id = long_forecast(store, tmp_path)
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "s")
        await start_solve(pilot, long_id, "60")
        await until(pilot, lambda: "best" in progress(app), what="solver progress")
        tap(app, "q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the quit question")
        tap(app, "n")
        await until(pilot, lambda: isinstance(app.screen, SolveScreen), what="the answer no")
        assert app.screen.running and app.is_running
        tap(app, "q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the quit question")
        tap(app, "escape")  # esc is no, too (and does not cancel the solve)
        await until(pilot, lambda: isinstance(app.screen, SolveScreen), what="esc")
        assert app.screen.running and app.is_running
        tap(app, "q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the quit question")
        tap(app, "y")
        await until(pilot, lambda: progress(app).startswith("cancelling… the cockpit quits once"), what="the answer")
        await until(pilot, lambda: not app.is_running, timeout=30, what="the app to quit")
    # the cockpit quit only once the cancelled run was recorded with the best plan so far
    run = session(store).store.plans.get(session(store).scope, 4)
    assert run.state == "AUDITED" and run.kpis["solver_status"] == "STOPPED", (run.state, run.error_text)


async def test_import_validates_then_stores_on_a_second_enter(cockpit, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths are typed, as a dispatcher would
    (tmp_path / "bad.csv").write_text("this is not a forecast\n", encoding="utf-8")
    (tmp_path / "week.csv").write_text(generate_week(120, seed=3), encoding="utf-8")
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "i")
        assert isinstance(app.screen, ImportScreen)
        path = app.screen.query_one("#import-path", Input)
        assert app.focused is path
        assert app.screen.query_one("#import-anchor", Input).value == world.ANCHOR  # the next Monday
        assert app.screen.query_one("#import-site", Input).value == "graz"

        await press(pilot, "enter")
        assert text_of(app, "#import-hint") == "✖ give a file path"
        await press(pilot, *"nope.csv", "enter")
        assert text_of(app, "#import-hint").startswith("✖ cannot read nope.csv")
        path.value = ""
        await press(pilot, *"bad.csv", "enter")
        assert text_of(app, "#import-hint").startswith("✖ FAIL: nothing can be stored")
        assert "FAIL" in text_of(app, "#import-report")
        await press(pilot, "enter")  # a FAIL is never stored, however often enter is pressed
        assert text_of(app, "#import-hint").startswith("✖ FAIL")

        path.value = ""
        await press(pilot, *"week.csv", "enter")
        assert text_of(app, "#import-hint") == "PASS: press enter again to store this forecast · esc back"
        report = text_of(app, "#import-report")
        assert report.startswith("week.csv: ✔ PASS") and "120 instances" in report
        assert len(list_forecasts(session(store))) == 2  # validated, not stored yet
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1
    stored = list_forecasts(session(store))
    assert len(stored) == 3 and stored[0].source_name == "week.csv" and stored[0].site == "graz"
    assert stored[0].instance_count == 120


async def test_import_esc_stores_nothing(cockpit, store):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "i", *"x.csv", "escape")
        assert len(app.screen_stack) == 1
    assert len(list_forecasts(session(store))) == 2


async def test_demo_on_a_path_without_a_store(tmp_path):
    from tui_helpers import make_cockpit

    db = tmp_path / "new" / "cockpit.duckdb"
    app = make_cockpit(db, "erin")
    async with running(app, (80, 24)) as pilot:
        welcome = text_of(app, "#runs-empty")
        assert welcome.startswith(f"no store at {db}")
        assert "Press d to create a demo store here" in welcome
        assert app.screen.active_bindings["d"].enabled
        await press(pilot, "d")
        assert app.query_one("#runs-table").row_count == 1
        assert app.section == "review" and app.run_view.run.state == "AUDITED"
        assert "erin (platform_admin)" in text_of(app, "#status-bar")  # (tenant and site give way at 80 columns)
        assert app.status.tenant == "demo" and app.status.sites == ["wien"]
        assert "d" not in app.screen.active_bindings  # once there are runs
    s = open_session(db, world.clock(), "erin")
    assert [r.state for r in s.store.plans.list_runs(s.scope)] == ["AUDITED"]


async def test_demo_on_an_empty_store(tmp_path):
    from tui_helpers import make_cockpit

    from app.ops import admin

    db = tmp_path / "empty.duckdb"
    admin.init_store(db, world.clock(), "alice", "acme", "wien")
    app = make_cockpit(db, "alice")
    async with running(app, (80, 24)) as pilot:
        assert text_of(app, "#runs-empty").startswith("No runs in this store yet.")
        assert not app.query_one("#runs-table").display
        await press(pilot, "d")
        assert app.query_one("#runs-table").display and app.run_view.run.site == "wien"
