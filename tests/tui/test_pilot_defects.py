"""Pilot tests of the defects a new dispatcher met in the first ten minutes (issue 12).

Each test names the defect it pins down; each failed before its fix.
"""

from __future__ import annotations

import json

import tui_world as world
from tui_helpers import open_run, press, running, session, shown_lines, text_of

from app.ops import admin
from app.ops import runs as ops_runs
from app.tui.dialogs.blocked import BlockedNotice
from app.tui.screens.solve import SolveScreen
from app.i18n import day_long


def publish_and_lock(db, run_id: int) -> None:
    s = session(db)
    ops_runs.publish(s, run_id, world.REASON)
    ops_runs.lock(session(db), run_id, world.REASON)


async def test_a_disabled_key_says_why_and_swallows_what_is_typed_next(cockpit, store, tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # `e` would export into the current directory
    publish_and_lock(store, world.DEMO_RUN)
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        table = app.query_one("#audits-table")
        order = list(table.visible_keys)
        await press(pilot, "P")
        notice = app.screen
        assert isinstance(notice, BlockedNotice)
        assert text_of(app, "#blocked-why") == "✗ plan is LOCKED; publish needs AUDITED"
        # what a dispatcher types, believing the reason dialog is open: nothing of it runs
        await press(pilot, *"new forecast 1385 tours")
        assert app.screen is notice and len(app.screen_stack) == 2
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1 and app.section == "review"
        assert not any(isinstance(s, SolveScreen) for s in app.screen_stack)
        assert list(table.visible_keys) == order  # `o` did not sort
        assert list(cwd.iterdir()) == []  # `e` did not export
        for key, why in (("L", "plan is LOCKED; lock needs PUBLISHED"), ("X", "plan is LOCKED; reject needs AUDITED or PUBLISHED")):
            await press(pilot, key)
            assert isinstance(app.screen, BlockedNotice), key
            assert why in text_of(app, "#blocked-why"), key
            await press(pilot, "escape")
    assert session(store).store.plans.get(session(store).scope, world.DEMO_RUN).state == "LOCKED"


async def test_disabled_keys_of_a_viewer_and_under_the_kill_switch_say_why(cockpit, store):
    app = cockpit("vic")
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "s")
        assert isinstance(app.screen, BlockedNotice)
        assert text_of(app, "#blocked-why").startswith("✗ role viewer may not solve")
        await press(pilot, "escape", "P")
        assert text_of(app, "#blocked-why") == "✗ no run is open: choose one in Runs (1) and press enter"
        await press(pilot, "escape")

    admin.set_kill_switch(session(store, "alice"), True, "incident drill")
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "P")
        assert text_of(app, "#blocked-why") == "✗ kill switch is on (incident drill)"


async def test_nothing_but_q_acts_behind_terminal_too_small(cockpit):
    app = cockpit()
    async with running(app, (60, 20)) as pilot:
        assert app.query_one("#too-small").display
        await press(pilot, "down", "enter", "2", "P", "s", "i", "tab", "enter", "question_mark", "ctrl+p", "slash")
        assert len(app.screen_stack) == 1 and app.run_view is None and app.section == "runs"
        await pilot.resize_terminal(120, 40)
        await press(pilot)
        assert len(app.screen_stack) == 1 and app.run_view is None and app.section == "runs"
        assert not app.query_one("#filter").display
        assert app.focused is app.query_one("#runs-table")  # the focus is back where it was
        await pilot.resize_terminal(60, 20)
        await press(pilot, "q")
    assert app.return_code == 0


async def test_the_first_column_stays_when_history_and_driver_week_scroll_sideways(cockpit):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "5")
        history = app.query_one("#history-table")
        assert history.max_scroll_x > 0  # wider than 80 columns
        first = shown_lines(history)[1].split()[0]
        await press(pilot, "right", "right")
        assert history.scroll_x > 0
        lines = shown_lines(history)
        assert lines[0].startswith(" # ") and lines[1].split()[0] == first
        assert " at " not in lines[0]  # scrolled by whole columns: "at" has gone, not half of it

        await press(pilot, "3", "enter")
        week = app.screen.query_one("#driver-week-table")
        assert week.max_scroll_x > 0
        await press(pilot, "right")
        assert week.scroll_x > 0
        lines = shown_lines(week)
        assert lines[0].startswith(" day ") and lines[1].split()[0] in {day_long(n) for n in range(1, 8)}


async def test_a_stranger_to_the_store_is_told_who_they_are_and_what_an_admin_runs(cockpit, store):
    app = cockpit("zoe")
    async with running(app, (80, 24)) as pilot:
        welcome = text_of(app, "#runs-empty")
        assert welcome.startswith(f"you are zoe (your OS login), not a user of the store {store}")
        assert f"solvereign --db {store} users add zoe --role dispatcher" in welcome
        assert "demo" not in welcome and "d" not in app.screen.active_bindings
        await press(pilot, "d")
        assert len(app.screen_stack) == 1 and app.status is None
    done = world.cli(store, "status", login="zoe")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"error: you are zoe (your OS login), not a user of the store {store}: "
        f"an admin runs 'solvereign --db {store} users add zoe --role dispatcher --tenant T --sites S'"
    )


async def test_header_and_section_bar_truncate_by_priority_at_80_columns(cockpit, store):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        status = text_of(app, "#status-bar")
        assert len(status) <= 80 and status.startswith(" solvereign [read-write]") and "dana (dispatcher)" in status
        assert status.endswith(".duckdb") and "…" in status  # the path lost its start, visibly
        assert " · Europe/Vienna · " in status  # the zone of every time on screen, said once
        await open_run(pilot, world.DEMO_RUN)
        bar = text_of(app, "#section-bar")
        assert len(bar) <= 80 and "▸2 Review" in bar
        # the other sections shrink to their numbers before the open run loses its week and state
        assert bar.rstrip().endswith("run 2 · graz · 2026-01-05 · AUDITED"), bar
        assert " 3  4  5 " in bar
        await pilot.resize_terminal(160, 40)
        await press(pilot)
        assert text_of(app, "#section-bar").rstrip().endswith("run 2 · graz · 2026-01-05 · AUDITED")
        assert "  3 Drivers " in text_of(app, "#section-bar")
        assert text_of(app, "#status-bar").endswith(str(store))


async def test_the_drivers_matrix_shows_the_whole_week_at_80_columns(cockpit):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "3")
        table = app.query_one("#drivers-table")
        header = shown_lines(table)[0].split()
        assert header == ["driver", "hours", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]  # the whole week, no scrolling
        assert table.max_scroll_x == 0
        cells = [c for row in range(table.row_count) for c in table.row_text(row)[2:] if c != "·"]
        assert cells and all("×" not in c and ":" not in c for c in cells), cells[:5]
        assert "5–14½ 2" in cells
        assert "6–15½ 2 = 06:00 to 15:30, 2 tours" in text_of(app, "#drivers-title")  # the legend
        await pilot.resize_terminal(120, 40)
        await press(pilot)
        assert all("×" in c for row in range(table.row_count) for c in table.row_text(row)[2:] if c != "·")
        assert table.max_scroll_x == 0  # the full form fits 120 columns
        assert "cell = first start–last end ×tours" in text_of(app, "#drivers-title")


def in_view(pane, widget) -> bool:
    """Is all of `widget` inside what `pane` shows now?"""
    return pane.region.contains_region(widget.region) and widget.region.height > 0


async def test_every_part_of_the_review_is_reachable_by_keyboard_at_80x24(cockpit):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.GEN_RUN)
        left, right = app.query_one("#review-left"), app.query_one("#review-right")
        hours, actions = app.query_one("#review-hours"), app.query_one("#review-actions")
        approvals = app.query_one("#review-approvals")
        assert not in_view(left, hours) and not in_view(right, actions)  # below the fold at 80×24
        assert "Next pane" in [b.binding.description for b in app.screen.active_bindings.values() if b.binding.show]
        await press(pilot, "tab", "tab")  # audits → offending rows → the left pane
        assert app.focused is left and left.styles.border_left[0] == "thick"  # visible focus
        assert right.styles.border_left[0] != "thick"
        await press(pilot, "end")
        assert in_view(left, hours)
        await press(pilot, "home")
        bound = app.query_one("#review-bound")
        for _ in range(left.max_scroll_y):  # line by line, every line of the pane comes into view
            if in_view(left, bound):
                break
            await press(pilot, "down")
        assert in_view(left, bound)
        await press(pilot, "tab", "end")
        assert app.focused is right and in_view(right, actions) and in_view(right, approvals)
        await press(pilot, "tab")
        assert app.focused is app.query_one("#audits-table") and in_view(right, app.focused)  # scrolled back to it


async def test_the_import_screen_warns_of_a_week_that_has_started(cockpit, tmp_path, monkeypatch):
    from fixtures.generator import generate_week
    from textual.widgets import Input

    monkeypatch.chdir(tmp_path)
    (tmp_path / "week.csv").write_text(generate_week(60, seed=5), encoding="utf-8")
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "i")
        app.screen.query_one("#import-anchor", Input).value = "2025-12-29"  # the week under way (clock: Thu 1 Jan)
        app.screen.query_one("#import-path", Input).focus()
        await press(pilot, *"week.csv", "enter")
        hint = text_of(app, "#import-hint")
        assert hint.startswith("▲ the week of 2025-12-29 has already started (first tour 2025-12-29 "), hint
        assert hint.endswith("PASS: press enter again to store this forecast · esc back")


async def test_publishing_a_newer_version_names_and_supersedes_the_published_one(cockpit, store):
    from app.ops.solving import solve_forecast

    dana = session(store)
    ops_runs.publish(dana, world.DEMO_RUN, world.REASON)
    forecast = dana.store.plans.get(dana.scope, world.DEMO_RUN).forecast_id
    newer, _ = solve_forecast(session(store), forecast, time_limit=world.DEMO_TIME_LIMIT)
    assert newer.state == "AUDITED" and newer.version > 1
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "r")
        await open_run(pilot, newer.id)
        await press(pilot, "P")
        assert "▲ supersedes plan 2 (v1, PUBLISHED)" in text_of(app, "#reason-conditions")  # said before confirming
        inp = app.screen.query_one("#reason-input")
        inp.insert_text_at_cursor("the newer plan is better")
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1 and app.run_view.run.state == "PUBLISHED"
    s = session(store)
    assert s.store.plans.get(s.scope, world.DEMO_RUN).state == "SUPERSEDED"
    record = ops_runs.approvals(s, world.DEMO_RUN)[-1]
    assert (record.action, record.from_state, record.to_state) == ("supersede", "PUBLISHED", "SUPERSEDED")
    assert record.reason == f"superseded by plan {newer.id} (v{newer.version}) on publish"


def failed_run(db, tmp_path):
    """A forecast with a tour no driver may work (17.5 h: over the 16 h span), solved: FAILED."""
    from app.ops.forecasts import import_forecast
    from app.ops.solving import solve_forecast

    path = tmp_path / "long.txt"
    path.write_text("Mo 05:00-22:30\nDi 06:00-10:00 2 Fahrer\n", encoding="utf-8")
    outcome = import_forecast(session(db), path, site=world.SITE2, anchor=world.ANCHOR)
    assert outcome.forecast is not None and outcome.report.status == "WARN"  # SG-004: over 16 h
    run, _ = solve_forecast(session(db), outcome.forecast.id, time_limit=5)
    assert run.state == "FAILED"
    return run


async def test_a_failed_run_shows_its_real_counts_and_the_uncovered_tours_with_why(cockpit, store, tmp_path):
    run = failed_run(store, tmp_path)
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await open_run(pilot, run.id)
        assert text_of(app, "#review-title").endswith("· 3 tours")  # the forecast's, not "0 tours"
        warnings = text_of(app, "#review-warnings")
        assert warnings.startswith("✖ FAILED: no legal plan covers 1 of 3 tours")
        assert "second approver" not in warnings  # the WARN forecast's banner is for AUDITED plans only
        assert text_of(app, "#offending-title") == "uncovered tours: no driver can legally work them"
        table = app.query_one("#offending-table")
        assert table.row_count == 1
        tour, when, why = table.row_text(0)
        assert when == "Mon 05:00–22:30" and why == "R5: block span 1050 min exceeds 840 min", why


async def test_banners_follow_the_state_of_the_plan(cockpit, store):
    dana, olga = session(store), session(store, "olga")
    ops_runs.publish(dana, world.GEN_RUN, world.REASON)  # first approval (the plan has warnings)
    ops_runs.publish(olga, world.GEN_RUN, "agreed with dana")
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await open_run(pilot, world.GEN_RUN)
        assert app.run_view.run.state == "PUBLISHED"
        assert not app.query_one("#review-warnings").display  # no "needs a second approver" on a published plan
        assert not app.query_one("#banners").display


def test_show_run_of_a_failed_run_lists_the_uncovered_tours(store, tmp_path):
    run = failed_run(store, tmp_path)
    done = world.cli(store, "show-run", str(run.id))
    assert done.returncode == 0, done.stderr
    assert f"forecast {run.forecast_id} (WARN) · 3 instances" in done.stdout
    assert "uncovered: 1 of 3 instances (no driver can legally work them)" in done.stdout
    assert "Mon 05:00–22:30  R5: block span 1050 min exceeds 840 min" in done.stdout


async def test_one_time_convention_local_time_the_zone_named_json_with_offset(cockpit, store):
    ops_runs.publish(session(store), world.DEMO_RUN, world.REASON)
    first = min(session(store).store.plans.detail(session(store).scope, world.DEMO_RUN).instances, key=lambda i: i.start)
    shown = f"{first.local_start // 60:02d}:{first.local_start % 60:02d}"
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "4")
        tours = app.query_one("#tours-table")
        assert tours.row_text(0)[1:3] == ("Mon", shown)  # the cockpit's tours: local time
        assert " · Europe/Vienna · " in text_of(app, "#status-bar")  # its zone, said once
        assert app.query_one("#runs-table")._columns[-1] == "changed"  # the last change, and named so
    # the refusal speaks the same time as the screen, with its zone (not "04:00:00+00:00")
    late = world.cli(store, "--now", "2026-01-05T12:00", "lock", "2", "--reason", world.REASON)
    assert late.returncode == 2
    assert late.stderr.strip().endswith(
        f"lock window closed: the week's first tour started at 2026-01-05 {shown} Europe/Vienna"), late.stderr
    listed = world.cli(store, "list-runs")
    assert listed.stdout.splitlines()[0].split()[-1] == "created"  # list-runs: creation, and named so
    doc = json.loads(world.cli(store, "show-run", "2", "--json").stdout)
    assert doc["run"]["created_at"].endswith(("Z", "+00:00"))  # JSON: ISO-8601 with its offset


async def test_the_review_names_the_next_key_not_a_command(cockpit):
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        actions = text_of(app, "#review-actions")
        assert actions.splitlines()[-1] == "next: P publish" and "solvereign" not in actions


async def test_the_reason_dialog_ticks_its_conditions_and_refuses_a_reason_that_is_not_words(cockpit, store):
    from app.tui.dialogs.reason import ReasonDialog

    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "P")
        conditions = text_of(app, "#reason-conditions")
        assert "✓ audits_pass" in conditions and "✓ kill_switch_off" in conditions and "✗ reason_given" in conditions
        app.screen.query_one("#reason-input").insert_text_at_cursor("aaaaaaaaa")
        await press(pilot, "a", "enter")
        assert isinstance(app.screen, ReasonDialog)  # not words: enter does nothing
        assert text_of(app, "#reason-hint") == "✗ reason must be words (at least 4 different letters, has 1)"
        assert "✗ reason_given" in text_of(app, "#reason-conditions")
        app.screen.query_one("#reason-input").value = "checked with the lead"
        await press(pilot)
        assert "✓ reason_given" in text_of(app, "#reason-conditions")
    refused = world.cli(store, "publish", "2", "--reason", "1234567890")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: blocked: reason must be words (at least 4 different letters, has 0)"


async def test_the_driver_week_steps_to_the_next_and_previous_driver(cockpit):
    from app.tui.screens.driver_week import DriverWeekScreen

    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "3", "enter")
        assert isinstance(app.screen, DriverWeekScreen)
        assert text_of(app, "#driver-week-title").startswith("driver D001 · run 2 ·")
        assert "1 of 25 (n / N: next / previous driver)" in text_of(app, "#driver-week-title")
        await press(pilot, "n", "n")
        assert text_of(app, "#driver-week-title").startswith("driver D003 · run 2 ·")
        d003 = next(w for w in app.run_view.weeks if w.driver_id == "D003")
        assert app.screen.query_one("#driver-week-table").row_count == len(d003.blocks)
        await press(pilot, "N", "N", "N")  # before the first: the last
        assert text_of(app, "#driver-week-title").startswith("driver D025 · run 2 ·")
        assert {"Next driver", "Previous driver"} <= {b.binding.description for b in app.screen.active_bindings.values()}


async def test_disabled_keys_are_told_apart_without_colour(cockpit):
    from app.tui.widgets.footer import CockpitFooter

    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        text = app.screen.query_one(CockpitFooter).render()
        styles = {text.plain[s.start:s.end].strip(): s.style for s in text.spans}
        assert styles["Publish"].strike and styles["Publish"].dim  # no run open: disabled
        assert not styles["Solve"].strike  # possible
        await pilot.pause()


async def test_the_runs_list_shows_version_forecast_tours_and_the_plan_in_force(cockpit, store):
    ops_runs.publish(session(store), world.DEMO_RUN, world.REASON)
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        table = app.query_one("#runs-table")
        assert table.columns[:8] == ["id", "week", "site", "state", "in force", "v", "forecast", "tours"]
        rows = {table.row_text(i)[0]: table.row_text(i) for i in range(table.row_count)}
        assert rows["2"][3:8] == ("PUBLISHED", "●", "v1", "2", "252")
        assert rows["3"][3:8] == ("AUDITED", "", "v2", "2", "252")  # the repair of the same week: not in force
        assert rows["1"][4] == ""  # wien's week has no published plan
        await pilot.pause()


def test_a_locked_plan_is_in_force_over_a_published_one():
    from datetime import date

    from app.tables import in_force

    class Run:  # only what `in_force` reads
        def __init__(self, id, state, version):
            self.id, self.state, self.version, self.site, self.week_anchor = id, state, version, "graz", date(2026, 1, 5)

    assert in_force([Run(1, "LOCKED", 1), Run(2, "PUBLISHED", 2), Run(3, "AUDITED", 3)]) == {1}
    assert in_force([Run(2, "PUBLISHED", 2), Run(3, "AUDITED", 3)]) == {2}


def test_a_resolve_that_gives_the_same_plan_says_so(store):
    """The demo week solves to optimal deterministically: solving it again is the same plan."""
    forecast = session(store).store.plans.get(session(store).scope, world.DEMO_RUN).forecast_id
    done = world.cli(store, "solve", "--forecast", str(forecast), "--time-limit", str(world.DEMO_TIME_LIMIT))
    assert done.returncode == 0, done.stderr
    assert f"identical to run {world.DEMO_RUN} (same output_hash: the same plan)" in done.stdout


async def test_a_new_run_takes_the_cursor_only_when_the_user_has_not_moved_it(cockpit, store):
    from tui_world import add_broken_repair

    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        table = app.query_one("#runs-table")
        assert table.selected_key == "3"  # the newest, where the cursor starts
        add_broken_repair(session(store), world.DEMO_RUN)  # run 4 arrives (another desk)
        await press(pilot, "r")
        assert table.visible_keys[0] == "4" and table.selected_key == "4"  # it follows
        await press(pilot, "down", "down")
        assert table.selected_key == "2"
        add_broken_repair(session(store), world.DEMO_RUN)  # run 5
        await press(pilot, "r")
        assert table.visible_keys[0] == "5" and table.selected_key == "2"  # moved by the user: stays
