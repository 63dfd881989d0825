"""Pilot tests of moving around: sections 1–5, enter, esc, /, o, e, y, ?, ctrl+p, q, too small.

Each test is a short dispatcher's session (one app start each keeps the suite fast); every
key press is followed by an assertion on what the cockpit now shows.
"""

from __future__ import annotations

import os

import csv

import tui_world as world
from tui_helpers import open_run, press, running, session, settle, shown_lines, text_of
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from app.ops.runs import approvals
from app.tui.actions import ACTIONS, APP_BINDINGS, MAIN_BINDINGS, help_rows
from app.tui.dialogs.blocked import BlockedNotice
from app.tui.dialogs.export import ExportDialog
from app.tui.dialogs.sort_picker import SortPicker
from app.tui.screens.driver_week import DriverWeekScreen
from app.tui.screens.help import HelpScreen
from app.tui.screens.runs import COLUMNS as RUN_COLUMNS

def visible(app, selector: str) -> list[str]:
    """Row keys of a table as shown (filtered, sorted)."""
    return list(app.query_one(selector).visible_keys)


async def test_sections_enter_and_esc(cockpit):
    """At 80×24, the smallest supported size (the snapshots show both sizes)."""
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        assert app.section == "runs"
        assert visible(app, "#runs-table") == ["3", "2", "1"]  # newest first
        assert app.focused is app.query_one("#runs-table")
        status = text_of(app, "#status-bar")
        assert " · dana (dispatcher) · " in status and status.startswith(" solvereign [read-write]")

        await press(pilot, "down", "enter")  # the cursor starts on run 3; enter opens run 2
        assert app.section == "review" and app.run_view.run.id == world.DEMO_RUN
        assert app.query_one("#sections").current == "review"
        assert text_of(app, "#review-title").startswith("run 2 · graz · week of 2026-01-05 · v1 · AUDITED")
        assert "P publish  ✓ possible (AUDITED → PUBLISHED)" in text_of(app, "#review-actions")

        await press(pilot, "3")
        assert app.query_one("#sections").current == "drivers"
        assert visible(app, "#drivers-table")[:2] == ["D001", "D002"]
        assert len(visible(app, "#drivers-table")) == len(app.run_view.weeks) == 25
        assert app.focused is app.query_one("#drivers-table")

        await press(pilot, "down", "down", "enter")  # that driver's week
        assert isinstance(app.screen, DriverWeekScreen)
        assert text_of(app, "#driver-week-title").startswith("driver D003 · run 2 ·")
        week = next(w for w in app.run_view.weeks if w.driver_id == "D003")
        assert app.screen.query_one("#driver-week-table").row_count == len(week.blocks)
        assert text_of(app, "#driver-week-notes") == "✓ every day within span and rest limits"
        await press(pilot, "4")  # section keys belong to the main screen: ignored here
        assert isinstance(app.screen, DriverWeekScreen)
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1 and app.section == "drivers"

        await press(pilot, "4")
        assert app.query_one("#sections").current == "tours"
        assert len(visible(app, "#tours-table")) == 252

        await press(pilot, "5")
        assert app.query_one("#sections").current == "history"
        records = approvals(session(app.ctx.db_path), world.DEMO_RUN)
        assert app.query_one("#history-table").row_count == len(records) > 0
        assert text_of(app, "#history-title") == f"run 2: {len(records)} approval record(s)"
        assert text_of(app, "#history-chain").startswith("✓ hash chain verifies")

        await press(pilot, "2")
        assert app.query_one("#sections").current == "review"
        await press(pilot, "1")
        assert app.query_one("#sections").current == "runs" and app.focused is app.query_one("#runs-table")

        # esc backs out one level at a time: history → review → runs, and no further
        await press(pilot, "5", "escape")
        assert app.section == "review"
        await press(pilot, "escape")
        assert app.section == "runs"
        await press(pilot, "escape")
        assert app.section == "runs" and app.is_running


async def test_filter_sort_export_copy(cockpit, tmp_path, monkeypatch):
    cwd, exports = tmp_path / "cwd", tmp_path / "exports"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # `e` never writes here by default
    monkeypatch.setenv("SOLVEREIGN_EXPORT_DIR", str(exports))
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        # / filters: rows that do not match are hidden; enter keeps the filter; esc clears it
        await press(pilot, "slash")
        box = app.query_one("#filter", Input)
        assert box.display and app.focused is box
        await press(pilot, *"wien")
        assert visible(app, "#runs-table") == ["1"]
        assert box.border_title == "1 of 3"  # how many rows the filter leaves
        await press(pilot, "enter")
        assert app.focused is app.query_one("#runs-table") and visible(app, "#runs-table") == ["1"]
        await press(pilot, "escape")
        assert not box.display and visible(app, "#runs-table") == ["3", "2", "1"]

        # o: a picker of the columns; the chosen one sorts ▲, chosen again ▼; the header says so
        await press(pilot, "o")
        assert isinstance(app.screen, SortPicker)
        await press(pilot, "enter")  # the first column, id
        assert visible(app, "#runs-table") == ["1", "2", "3"]
        assert shown_lines(app.query_one("#runs-table"))[0].startswith("id ▲ ")
        await press(pilot, "o", "enter")
        assert visible(app, "#runs-table") == ["3", "2", "1"]
        assert shown_lines(app.query_one("#runs-table"))[0].startswith("id ▼ ")
        await press(pilot, "o", "down", "down", "enter")  # site ▲: graz before wien
        assert visible(app, "#runs-table")[-1] == "1"
        await press(pilot, "o", "escape")  # esc: no change
        assert visible(app, "#runs-table")[-1] == "1" and len(app.screen_stack) == 1

        # e: the visible rows, in their order, with the header
        await press(pilot, "e")  # the path is shown (and could be edited): enter writes it
        assert isinstance(app.screen, ExportDialog)
        proposed = exports / "solvereign-runs-20260101-0900.csv"  # named by section and time (the clock)
        assert app.screen.query_one("#export-path", Input).value == str(proposed)
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1 and list(cwd.iterdir()) == []
        await press(pilot, "e", "enter")  # the file exists now: not overwritten without asking
        assert isinstance(app.screen, ExportDialog)
        assert text_of(app, "#export-hint").startswith("▲ solvereign-runs-20260101-0900.csv exists: enter again overwrites")
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1
        with proposed.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == list(RUN_COLUMNS)
        assert [r[0] for r in rows[1:]] == visible(app, "#runs-table")
        assert ["2", "2026-01-05", "graz", "AUDITED", "", "v1", "2", "252", "25", "0", "100%", "7/7"] in [r[:12] for r in rows]

        # y: the selected row, tab-separated, on the clipboard
        app.query_one("#runs-table").select_key("2")
        await press(pilot, "y")
        assert app.clipboard.split("\t")[:4] == ["2", "2026-01-05", "graz", "AUDITED"]

        # the same tools on driver schedules
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "3", "slash", *"D01", "enter")
        assert visible(app, "#drivers-table") == [f"D01{n}" for n in range(10)]
        await press(pilot, "e", "enter")
        with (exports / "solvereign-run2-drivers-20260101-0900.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0][:3] == ["driver", "hours", "Mon"]  # what is shown: the compact week at 80 columns
        assert [r[0] for r in rows[1:]] == [f"D01{n}" for n in range(10)]
        await press(pilot, "down", "y")
        assert app.clipboard.startswith("D011\t")
        await press(pilot, "slash", "space", "x")  # every term must match: none does
        assert visible(app, "#drivers-table") == []
        await press(pilot, "escape")
        assert len(visible(app, "#drivers-table")) == 25 and app.focused is app.query_one("#drivers-table")


def _shown(key: str) -> str:
    return {"escape": "esc", "slash": "/", "question_mark": "?"}.get(key, key)


async def test_help_lists_every_key_and_q_quits(cockpit):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        from rich.console import Console

        console = Console(width=76, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        for static in app.screen.query("Static"):
            console.print(static.content)
        text = console.export_text()
        listed = {key for key, _ in help_rows()}
        for binding in [*APP_BINDINGS, *MAIN_BINDINGS]:
            key = _shown(binding.key)
            in_help = key in listed or (key.isdigit() and "1 … 5" in listed)
            assert in_help, f"key {binding.key} ({binding.action}) is not in the help"
        assert "ctrl+p" in listed and "ctrl+p" in text
        for key in ("escape", "question_mark", "q"):  # each closes help; q does not quit from here
            if not isinstance(app.screen, HelpScreen):
                await press(pilot, "question_mark")
            await press(pilot, key)
            assert not isinstance(app.screen, HelpScreen) and app.is_running

        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


def _prompt(prompt) -> str:
    """The first line of a palette option (its name; the help line follows)."""
    text = prompt.renderables[0] if hasattr(prompt, "renderables") else prompt
    return str(getattr(text, "plain", text)).splitlines()[0]


async def test_palette_lists_every_action_and_goes_to_run_and_driver(cockpit):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:

        async def palette(query: str = "") -> list[str]:
            await press(pilot, "ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            if query:  # typed at once (one search, not one per key: the palette searches as you type)
                app.screen.query_one(Input).insert_text_at_cursor(query)
                await settle(pilot)
            options = app.screen.query_one(OptionList)
            return [_prompt(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        shown = await palette()
        # what can be done now; what cannot (no run is open) with "not now"; the demo (runs exist) and the
        # alert acknowledgement (no open alert) not at all
        now = {"publish", "lock", "reject", "repair", "outbox"}
        assert {a.palette_text for a in ACTIONS if a.palette and a.name not in now | {"demo", "ack_alert"}} <= set(shown), shown
        assert not any("alert" in name for name in shown)
        assert {f"{a.palette_text} — not now" for a in ACTIONS if a.name in now} <= set(shown), shown
        assert not any("demo" in name for name in shown)
        await press(pilot, "escape")
        found = await palette("publish")
        assert found[0] == "Publish the open run (P) — not now"
        await press(pilot, "enter")  # chosen anyway: the reason, as the key gives it
        assert isinstance(app.screen, BlockedNotice)
        assert text_of(app, "#blocked-why") == "✗ no run is open: choose one in Runs (1) and press enter"
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1

        found = await palette("zzqqxx")  # nothing matches: the palette says so
        await pilot.pause(0.7)  # Textual shows "No matches found" half a second after the search
        options = app.screen.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt.renderable) for i in range(options.option_count)] == ["No matches found"]
        await press(pilot, "escape")

        found = await palette("go to run")
        assert {"Go to run 1", "Go to run 2", "Go to run 3"} <= set(found), found
        await press(pilot, "escape")
        found = await palette("go to run 1")
        assert found[0] == "Go to run 1"
        await press(pilot, "enter")
        assert app.run_view.run.id == world.GEN_RUN and app.section == "review"

        found = await palette("go to driver D003")
        assert found[0] == "Go to driver D003"
        await press(pilot, "enter")
        assert isinstance(app.screen, DriverWeekScreen)
        assert text_of(app, "#driver-week-title").startswith("driver D003 · run 1 ·")


async def test_terminal_too_small_shows_a_notice(cockpit):
    app = cockpit()
    async with running(app, (70, 20)) as pilot:
        notice = app.query_one("#too-small")
        assert notice.display and not app.query_one("#main").display
        assert text_of(app, "#too-small") == "Terminal too small: 70×20.\nThe cockpit needs at least 80×24."
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not notice.display and app.query_one("#main").display
