"""Pilot tests of Thursday to Sunday in the cockpit: the repair form (preview, apply, undo, diff),
pins and the live-checked block move in the driver week, frozen marks, the drills list."""

from __future__ import annotations

import tui_world as world
from tui_helpers import open_run, press, running, session, settle, text_of, until
from textual.widgets import Input, SelectionList

from app.tui.dialogs.move import MoveDialog
from app.tui.screens.driver_week import DriverWeekScreen
from app.tui.screens.drills import DrillsScreen
from app.tui.screens.repair import RepairScreen


async def preview_sick_call(pilot, app, timeout: float = 10) -> None:
    """R, D001 absent with a reason, ctrl+r: the preview shows a passing repair and stores nothing."""
    await press(pilot, "R")
    assert isinstance(app.screen, RepairScreen)
    app.screen.query_one(SelectionList).select("D001")
    app.screen.query_one("#repair-reason", Input).value = "sick call from the depot"
    await press(pilot, "ctrl+r")
    await until(pilot, lambda: "verdict" in text_of(app, "#repair-result"), timeout=timeout, what="the preview")
    shown = text_of(app, "#repair-result")
    assert "preview: nothing stored" in shown and "verdict PASS" in shown and "D001 →" in shown


async def move_to_a_fresh_standin(pilot, app) -> None:
    """m on the driver week's current day, S-NEW typed (the live check says the rules hold), a reason, enter."""
    await press(pilot, "m")
    assert isinstance(app.screen, MoveDialog)
    await until(pilot, lambda: "type the driver" in text_of(app, "#move-check"), what="the plan loaded")
    app.screen.query_one("#move-driver", Input).value = "S-NEW"
    await until(pilot, lambda: "✓ rules hold" in text_of(app, "#move-check"), what="a legal move")
    app.screen.query_one("#move-reason", Input).value = "driver asked for a free day"
    app.screen.query_one("#move-reason", Input).focus()
    await press(pilot, "enter")
    await until(pilot, lambda: isinstance(app.screen, DriverWeekScreen), what="the dialog closed")


async def test_repair_form_previews_applies_and_undoes(cockpit, store):
    app = cockpit()
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await preview_sick_call(pilot, app)
        assert len(session(store).store.plans.list_runs(session(store).scope)) == 3
        await press(pilot, "ctrl+y")
        await until(pilot, lambda: "diff:" in text_of(app, "#repair-result"), what="the applied repair")
        runs = session(store).store.plans.list_runs(session(store).scope)
        assert runs[0].kind == "repair" and runs[0].parent_plan_id == world.DEMO_RUN and runs[0].state == "AUDITED"
        await press(pilot, "ctrl+u")
        await until(pilot, lambda: "discarded" in text_of(app, "#repair-result"), what="the undo")
        assert session(store).store.plans.get(session(store).scope, runs[0].id).state == "REJECTED"
        await press(pilot, "escape")
        assert not isinstance(app.screen, RepairScreen)


async def test_driver_week_pins_marks_and_moves_with_the_rule_check(cockpit, store):
    app = cockpit()
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        app.action_goto_driver("D001")
        await settle(pilot)
        assert isinstance(app.screen, DriverWeekScreen)
        await press(pilot, "p")
        await until(pilot, lambda: "⚑" in " ".join(app.screen.query_one("#driver-week-table").row_text(0)),
                    what="the pin mark")
        s = session(store)
        assert s.store.pins.for_plan(s.scope, world.DEMO_RUN)
        await press(pilot, "m")  # the pinned day: the live check says why it cannot move
        assert isinstance(app.screen, MoveDialog)
        await until(pilot, lambda: "type the driver" in text_of(app, "#move-check"), what="the plan loaded")
        app.screen.query_one("#move-driver", Input).value = "S-NEW"
        await until(pilot, lambda: "⚑ pinned" in text_of(app, "#move-check"), what="the pinned refusal")
        await press(pilot, "escape", "down")  # the next day: a legal move to a fresh stand-in
        await move_to_a_fresh_standin(pilot, app)
        runs = s.store.plans.list_runs(s.scope)
        assert runs[0].kind == "edit" and runs[0].parent_plan_id == world.DEMO_RUN


async def test_drills_list_shows_verdicts(cockpit, store):
    from app.ops.drills import run_drill

    report = run_drill(session(store), "freeze-window", run_id=world.DEMO_RUN)
    app = cockpit()
    async with running(app) as pilot:
        await press(pilot, "H")
        assert isinstance(app.screen, DrillsScreen)
        table = app.screen.query_one("#drills-table")
        assert table.row_count == 1 and report.verdict in table.row_text(0)
        await press(pilot, "enter")
        assert f"freeze-window {report.verdict}" in text_of(app, "#drills-evidence")
