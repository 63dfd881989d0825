"""Pilot tests of what the views say and where: keys of the main screen in a view they do not
work in, notices on one line that covers nothing (issue 12)."""

from __future__ import annotations

import tui_world as world
from tui_helpers import open_run, press, running, text_of

from app.tui.widgets.message_line import MessageLine


def _line(app) -> str:
    lines = app.screen.query(MessageLine)
    return str(lines.first().render()) if lines and lines.first().display else ""


async def test_a_main_screen_key_in_another_view_says_why_and_does_nothing(cockpit, store):
    from app.tui.screens.driver_week import DriverWeekScreen
    from app.tui.screens.forecasts import ForecastsScreen

    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "3", "enter")
        week = app.screen
        assert isinstance(week, DriverWeekScreen)
        state = app.run_view.run.state
        await press(pilot, "L")
        assert _line(app) == "! L Lock: not in the driver week — esc back to Drivers"
        await press(pilot, "P", "s", "1")
        assert app.screen is week and len(app.screen_stack) == 2  # no dialog, no solve screen, no section
        assert _line(app) == "! 1 Runs: not in the driver week — esc back to Drivers"
        assert app.section == "drivers"
        await press(pilot, "n")  # the view's own keys still work
        assert text_of(app, "#driver-week-title").startswith("driver D002")
        await press(pilot, "escape", "F")
        assert isinstance(app.screen, ForecastsScreen)
        await press(pilot, "X")
        assert _line(app) == "! X Reject: not in the forecasts — esc back to Drivers"
        assert isinstance(app.screen, ForecastsScreen)
    assert world.cli(store, "show-run", str(world.DEMO_RUN), "--json").returncode == 0
    assert app.run_view.run.state == state  # nothing was published or locked


async def test_notices_sit_on_a_line_of_their_own_above_the_footer(cockpit):
    from app.tui.widgets.footer import CockpitFooter
    from app.tui.widgets.table import RosterTable

    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "4")
        table = app.query_one("#tours-table", RosterTable)
        app.notify("a notice that is long enough to have covered the right end of the tours table " * 2)
        await press(pilot)
        line = app.screen.query_one(MessageLine)
        footer = app.screen.query_one(CockpitFooter)
        assert line.display and line.region.height == 1
        assert line.region.y == footer.region.y - 1  # right above the footer
        assert not line.region.overlaps(table.region)  # the table gave up the line; nothing is covered
        assert not app.screen.query("Toast")  # no floating toasts


def _detail(app) -> str:
    return text_of(app, "#tour-detail-text")


async def test_enter_on_a_tour_opens_its_detail_with_the_rules_around_it(cockpit):
    from app.tui.screens.tour_detail import TourDetailScreen
    from engine.rules import DEFAULT_CONFIG

    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "4")
        tours = app.query_one("#tours-table")
        await press(pilot, "down", "down")
        tour_id = tours.selected_key
        await press(pilot, "enter")
        assert isinstance(app.screen, TourDetailScreen)
        view = app.run_view
        inst = next(i for i in view.detail.instances if i.id == tour_id)
        driver = view.detail.assignments[tour_id]
        week = next(w for w in view.weeks if w.driver_id == driver)
        block = week.blocks[inst.day]
        text = _detail(app)
        assert text.startswith(f"tour {tour_id} · run {world.DEMO_RUN}")
        assert f"depot {inst.depot} · skill {inst.skill}" in text
        assert f"driver {driver}\nblock " in text and ", ".join(block.instances) in text
        span = f"{block.span // 60}:{block.span % 60:02d}"
        assert f"R5 span of the block: {span} (≤ {block.span_limit // 60}:{block.span_limit % 60:02d})" in text
        assert "R6 rest before the block" in text and "R6 rest after the block" in text
        assert f"R8 the driver's weekly hours: {week.hours:g} h (≤ {DEFAULT_CONFIG.weekly_max_minutes // 60} h" in text
        assert f"R9 working days: {week.days_worked} (≤ {DEFAULT_CONFIG.max_working_days})" in text
        await press(pilot, "L")  # not a key of the detail: says so
        assert _line(app) == "! L Lock: not in the tour detail — esc back to Tours"
        await press(pilot, "escape")
        assert app.screen is app.screen_stack[0] and app.section == "tours"
        # in the driver week: enter on a day is its first tour's detail
        await press(pilot, "3", "enter", "enter")
        assert isinstance(app.screen, TourDetailScreen)
        first = app.run_view.weeks[0]
        day = min(first.blocks)
        assert _detail(app).startswith(f"tour {first.blocks[day].instances[0]} ·")
        assert f"driver {first.driver_id}" in _detail(app)
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "DriverWeekScreen"


def test_the_rules_around_a_tour_follow_the_rule_table():
    """A rest below the limit is a ✗ line; the first day of the week has nothing before it."""
    from engine.driver_weeks import driver_weeks
    from engine.models import Instance
    from engine.tour_context import tour_context

    mon = Instance("A-1", "A", 1, 1, 6 * 60, 14 * 60, ((6 * 60, 14 * 60),))
    tue = Instance("B-1", "B", 1, 2, 1440 + 20 * 60, 1440 + 26 * 60, ((1440 + 20 * 60, 1440 + 26 * 60),))
    wed = Instance("C-1", "C", 1, 3, 2 * 1440 + 5 * 60, 2 * 1440 + 9 * 60, ((2 * 1440 + 5 * 60, 2 * 1440 + 9 * 60),))
    week = driver_weeks([mon, tue, wed], {"A-1": "D1", "B-1": "D1", "C-1": "D1"})[0]
    ctx = tour_context(tue, "D1", week)
    assert ctx.night  # 20:00–02:00
    texts = [r.text for r in ctx.rules]
    assert "✓ R6 rest before the block: 30:00 (≥ 11:00)" in texts  # Mo 14:00 → Tu 20:00
    assert "✗ R6 rest after the block (to Mi 05:00): 3:00 (≥ 11:00)" in texts
    first = tour_context(mon, "D1", week)
    assert "✓ R6 rest before the block: first working day of the week (≥ 11:00)" in [r.text for r in first.rules]
    assert tour_context(mon, None, None).rules == ()


async def test_c_chooses_the_columns_of_a_table_and_the_first_one_stays(cockpit, tmp_path):
    from app.tui.dialogs.column_chooser import ColumnChooser
    from tui_helpers import shown_lines

    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "4")
        table = app.query_one("#tours-table")
        assert table.columns[:3] == ["tour", "day", "start"]
        await press(pilot, "c")
        assert isinstance(app.screen, ColumnChooser)
        labels = [str(o.prompt) for o in app.screen.query_one("#column-list")._options]
        assert labels == table.columns[1:]  # the first column is not offered: it always shows
        await press(pilot, "space", "down", "space")  # hide day and start
        assert table.shown_columns == [0, *range(3, len(table.columns))]
        await press(pilot, "escape")
        assert app.screen is app.screen_stack[0]
        header = shown_lines(table)[0].split()
        assert header[0] == "tour" and "day" not in header and "start" not in header and "end" in header
        assert len(table.row_text(0)) == len(table.columns) - 2
        out = tmp_path / "tours.csv"
        table.export_csv(out)
        assert out.read_text().splitlines()[0] == ",".join(c for c in table.columns if c not in ("day", "start"))
        await press(pilot, "c", "space", "enter")  # day shows again
        assert 1 in table.shown_columns and 2 not in table.shown_columns


def _contract(path, anchor: str) -> None:
    import json

    tours = [{"external_id": f"G{d}", "day": d, "start_time": "06:00", "end_time": "10:30", "count": 1,
              "depot": "default", "skill": "standard"} for d in range(1, 6)]
    path.write_text(json.dumps({"tenant_code": world.TENANT, "site_code": world.SITE2, "week_anchor_date": anchor,
                                "tours": tours}), encoding="utf-8")


async def test_the_import_screen_picks_a_file_in_a_tree_and_takes_the_week_from_it(cockpit, tmp_path, monkeypatch):
    from textual.widgets import DirectoryTree, Input

    from fixtures.generator import generate_week

    here = tmp_path / "files"
    here.mkdir()
    monkeypatch.chdir(here)
    _contract(here / "contract.json", "2026-01-12")
    (here / "long.csv").write_text(generate_week(120, seed=4), encoding="utf-8")
    (here / ".hidden.csv").write_text("x", encoding="utf-8")
    (here / "cockpit.duckdb").write_text("x", encoding="utf-8")
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "i")
        assert "ctrl+u clears a field" in text_of(app, "#import-hint")
        anchor = app.screen.query_one("#import-anchor", Input)
        assert anchor.value == world.ANCHOR  # proposed: the next week
        tree = app.screen.query_one(DirectoryTree)
        names = [n.data.path.name for n in tree.root.children]
        assert names == ["contract.json", "long.csv"]  # hidden files and the store left out
        # a long report scrolled down, then a file picked in the tree: its report starts at the top
        await press(pilot, *"long.csv", "enter")
        box = app.screen.query_one("#import-report-box")
        box.scroll_end(animate=False)
        await press(pilot)
        assert box.scroll_y > 0
        tree.focus()
        await press(pilot, "home", "down", "enter")  # the root, then contract.json
        assert app.screen.query_one("#import-path", Input).value == "contract.json"
        assert box.scroll_y == 0
        assert anchor.value == "2026-01-12"  # the file's own week replaced the proposal
        hint = text_of(app, "#import-hint")
        assert hint.startswith("▲ week 2026-01-12 taken from the file\n") and "PASS" in hint, hint
        # a week typed that differs from the file's: said, and nothing can be stored
        anchor.value = "2026-01-19"
        anchor.focus()
        await press(pilot, "enter")
        hint = text_of(app, "#import-hint")
        assert hint.startswith("▲ the week chosen, 2026-01-19, does not match the file's own week 2026-01-12\n✖ FAIL"), hint
        assert "--anchor 2026-01-19 contradicts the file's week_anchor_date 2026-01-12" in text_of(app, "#import-report")


async def test_the_lock_dialog_names_the_locked_plan_it_will_supersede(cockpit, store):
    from app.ops import runs as ops_runs
    from app.ops.solving import solve_forecast
    from tui_helpers import session

    dana = session(store)
    ops_runs.publish(dana, world.DEMO_RUN, world.REASON)
    ops_runs.lock(dana, world.DEMO_RUN, world.REASON)
    forecast = dana.store.plans.get(dana.scope, world.DEMO_RUN).forecast_id
    newer, _ = solve_forecast(session(store), forecast, time_limit=world.DEMO_TIME_LIMIT)
    ops_runs.publish(session(store), newer.id, world.REASON)
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, newer.id)
        await press(pilot, "L")
        assert f"▲ supersedes plan {world.DEMO_RUN} (v1, LOCKED)" in text_of(app, "#reason-conditions")
        await press(pilot, "escape")
    assert session(store).store.plans.get(dana.scope, world.DEMO_RUN).state == "LOCKED"  # nothing done


async def test_list_runs_prints_the_cells_the_cockpits_runs_list_shows(cockpit, store):
    """One formatting for both (app/tables.py): every column the two share has the same text."""
    from app.commands.runs import LIST_COLUMNS
    from app.tui.screens.runs import COLUMNS

    listed = world.cli(store, "list-runs")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [w for c in LIST_COLUMNS for w in c.split()]
    app = cockpit()
    async with running(app, (120, 40)):
        table = app.query_one("#runs-table")
        shown = {table.row_text(n)[0]: table.row_text(n) for n in range(table.row_count)}
    shared = [c for c in LIST_COLUMNS if c in COLUMNS and c != "in force"]
    for line in lines[1:]:
        run_id = line.split()[0]
        cockpit_cells = [shown[run_id][COLUMNS.index(c)] for c in shared]
        assert all(cell in line for cell in cockpit_cells), (line, cockpit_cells)


async def test_the_table_keys_work_on_the_table_of_any_view(cockpit, tmp_path, monkeypatch):
    from app.tui.dialogs.column_chooser import ColumnChooser
    from app.tui.dialogs.export import ExportDialog
    from app.tui.dialogs.sort_picker import SortPicker
    from app.tui.screens.driver_week import DriverWeekScreen

    monkeypatch.setenv("SOLVEREIGN_EXPORT_DIR", str(tmp_path))
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "3", "enter")
        week = app.screen
        assert isinstance(week, DriverWeekScreen)
        table = week.query_one("#driver-week-table")
        await press(pilot, "c")
        assert isinstance(app.screen, ColumnChooser)
        await press(pilot, "space", "escape")  # hide "block"
        assert app.screen is week and "block" not in [table.columns[i] for i in table.shown_columns]
        await press(pilot, "o")
        assert isinstance(app.screen, SortPicker)
        await press(pilot, "escape", "e")
        assert isinstance(app.screen, ExportDialog)
        proposed = app.screen.query_one("#export-path").value
        assert proposed.startswith(str(tmp_path / f"solvereign-run{world.DEMO_RUN}-driver-week-")), proposed
        await press(pilot, "escape")
        assert app.screen is week
