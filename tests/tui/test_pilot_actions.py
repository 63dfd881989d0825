"""Pilot tests of P publish, L lock, X reject and their reason dialog; disabled and hidden actions.

State changes are checked through the store (the operations layer) and, for the main path,
through the command line in a separate process, as a dispatcher at another desk would.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import tui_world as world
from tui_helpers import open_run, press, running, session, shown_lines, text_of
from textual.widgets import Input

from app.ops import admin
from app.ops.runs import approvals
from app.tui.dialogs.blocked import BlockedNotice
from app.tui.dialogs.reason import ReasonDialog
from app.tui.screens.driver_week import DriverWeekScreen
from app.tui.widgets.footer import CockpitFooter


def state_of(db, run_id: int) -> str:
    return session(db).store.plans.get(session(db).scope, run_id).state


def binding(app, key: str):
    """The footer's view of a key: None when hidden, else the ActiveBinding (enabled or dimmed)."""
    return app.screen.active_bindings.get(key)


def footer(app) -> dict[str, bool]:
    """What the footer paints: each label → False when dimmed (disabled), True when not."""
    text = app.screen.query_one(CockpitFooter).render()
    pieces = [(text.plain[s.start:s.end], s.style) for s in text.spans]
    return {label.strip(): not style.dim for (_, _), (label, style) in zip(pieces[::2], pieces[1::2], strict=False)}


def hint(app) -> str:
    return text_of(app, "#reason-hint")


async def type_reason(pilot, text: str) -> None:
    """Into the focused reason input: pasted but for the last character, which is a key press
    (every change goes through the same Input.Changed path; typing is just slower)."""
    inp = pilot.app.screen.query_one("#reason-input", Input)
    assert pilot.app.focused is inp
    inp.insert_text_at_cursor(text[:-1])
    await press(pilot, text[-1])


async def test_publish_then_lock_through_the_reason_dialog(cockpit, store):
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await open_run(pilot, world.DEMO_RUN)

        # esc cancels: nothing changes
        await press(pilot, "P")
        assert isinstance(app.screen, ReasonDialog)
        await type_reason(pilot, "ok per lead")
        await press(pilot, "escape")
        assert not isinstance(app.screen, ReasonDialog)
        assert state_of(store, world.DEMO_RUN) == "AUDITED"

        # the dialog says what will happen; a short reason is not enough: enter does nothing
        await press(pilot, "P")
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog)
        assert str(dialog.query_one(".dialog-title").render()) == "Publish the plan — run 2"
        assert text_of(app, "#reason-transition") == "AUDITED → PUBLISHED"
        assert "kill_switch_off" in text_of(app, "#reason-conditions")
        assert hint(app) == "10 more character(s) needed"
        await press(pilot, *"too short")  # typed key by key: the hint counts down
        assert hint(app) == "1 more character(s) needed"
        await press(pilot, "enter")
        assert app.screen is dialog and state_of(store, world.DEMO_RUN) == "AUDITED"

        # a reason of ten characters or more: enter publishes
        await press(pilot, *"!")
        assert hint(app) == "ready: enter confirms"
        await press(pilot, "enter")
        assert not isinstance(app.screen, ReasonDialog)
        assert app.run_view.run.state == "PUBLISHED"  # the review was reloaded
        assert "L lock     ✓ possible (PUBLISHED → LOCKED)" in text_of(app, "#review-actions")
        runs = app.query_one("#runs-table")
        assert runs.row_text(runs.visible_keys.index("2"))[3] == "PUBLISHED"

        # L: lock it, with a reason that looks like markup (shown as typed in the history)
        assert binding(app, "L").enabled
        await press(pilot, "L")
        assert text_of(app, "#reason-transition") == "PUBLISHED → LOCKED"
        await type_reason(pilot, "[ops] [/] ok")
        await press(pilot, "enter")
        assert app.run_view.run.state == "LOCKED"
        await press(pilot, "5")
        painted = "\n".join(shown_lines(app.query_one("#history-table")))
        assert "[ops] [/] ok" in painted and "too short!" in painted

    # what another process sees: the command line, acting as someone else
    assert state_of(store, world.DEMO_RUN) == "LOCKED"
    log = json.loads(world.cli(store, "log", "2", "--json", login="olga").stdout)["records"]
    decided = [(r["action"], r["from_state"], r["to_state"], r["actor"], r["reason"]) for r in log
               if r["action"] in ("publish", "lock")]
    assert decided == [("publish", "AUDITED", "PUBLISHED", "dana", "too short!"),
                       ("lock", "PUBLISHED", "LOCKED", "dana", "[ops] [/] ok")]


async def test_refusal_is_shown_in_one_line_and_the_dialog_stays(cockpit, store):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        assert binding(app, "P").enabled
        # meanwhile an admin turns the kill switch on (the review still shows the old state)
        admin.set_kill_switch(session(store, "alice"), True, "incident drill running")

        await press(pilot, "P")
        await type_reason(pilot, "before drill")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReasonDialog)  # stays open: cancel or fix
        assert hint(app) == "✖ blocked: kill switch is on (incident drill running)"
        assert "error" in app.screen.query_one("#reason-hint").classes
        assert state_of(store, world.DEMO_RUN) == "AUDITED"
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1

        # after a refresh: the banner, and P dimmed with the reason in the review
        await press(pilot, "r")
        assert app.query_one("#banners").display
        assert text_of(app, "#banners") == "⛔ KILL SWITCH ON — publish and lock are refused (incident drill running)"
        assert app.check_action("publish", ()) is None and not binding(app, "P").enabled
        assert "P publish  ✗ blocked: kill switch is on (incident drill running)" in text_of(app, "#review-actions")
        await press(pilot, "P")
        assert isinstance(app.screen, BlockedNotice)  # a dimmed key says why, and does nothing else
        assert text_of(app, "#blocked-why") == "✗ kill switch is on (incident drill running)"
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1

        # X: reject is still possible with the kill switch on
        assert binding(app, "X").enabled
        await press(pilot, "X")
        assert str(app.screen.query_one(".dialog-title").render()) == "Reject the plan — run 2"
        assert text_of(app, "#reason-transition") == "AUDITED → REJECTED"
        await type_reason(pilot, "wrong depot")
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1 and app.run_view.run.state == "REJECTED"
    assert state_of(store, world.DEMO_RUN) == "REJECTED"


async def test_a_plan_with_warnings_needs_a_second_approver(cockpit, store):
    app = cockpit("dana")
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.GEN_RUN)
        assert "▲ WARNINGS: publishing needs a second approver (ops_lead)" in text_of(app, "#review-warnings")
        await press(pilot, "P")
        assert text_of(app, "#reason-transition") == "AUDITED → AUDITED (first of two approvals)"
        await type_reason(pilot, "checked it!")
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1
        assert app.run_view.run.state == "AUDITED" and app.run_view.awaiting_second_approver
        assert "WAITING FOR A SECOND APPROVER — run 1" in text_of(app, "#banners")
        assert app.check_action("publish", ()) is None  # not twice by the same person
        assert "✗ blocked: second approver must be a different user than dana" in text_of(app, "#review-actions")
    assert [r.action for r in approvals(session(store), world.GEN_RUN)][-1] == "approve"

    app = cockpit("olga")
    async with running(app, (80, 24)) as pilot:
        assert "WAITING FOR A SECOND APPROVER — run 1" in text_of(app, "#banners")
        await open_run(pilot, world.GEN_RUN)
        await press(pilot, "P")
        assert text_of(app, "#reason-transition") == "AUDITED → PUBLISHED"
        await type_reason(pilot, "agreed, ok")
        await press(pilot, "enter")
        assert app.run_view.run.state == "PUBLISHED"
    assert state_of(store, world.GEN_RUN) == "PUBLISHED"


async def test_disabled_actions_are_dimmed_with_the_reason(cockpit):
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        # no run open yet: the run actions are dimmed, not hidden; the demo is hidden (runs exist)
        for key, action in (("P", "publish"), ("L", "lock"), ("X", "reject")):
            assert app.check_action(action, ()) is None and binding(app, key) and not binding(app, key).enabled
        assert binding(app, "d") is None and app.check_action("demo", ()) is False
        shown = footer(app)
        assert shown["Publish"] is False and shown["Lock"] is False and shown["Solve"] is True

        await open_run(pilot, world.BROKEN_RUN)
        assert app.check_action("publish", ()) is None and not binding(app, "P").enabled
        assert app.check_action("lock", ()) is None
        assert binding(app, "X").enabled
        assert footer(app)["Publish"] is False and footer(app)["Reject"] is True
        actions = text_of(app, "#review-actions")
        assert "P publish  ✗ blocked: audits 6/7 pass; publish needs all" in actions
        assert "L lock     ✗ blocked: plan is AUDITED; lock needs PUBLISHED" in actions
        for key in ("P", "L"):
            await press(pilot, key)
            assert isinstance(app.screen, BlockedNotice), key
            await press(pilot, "escape")
        assert len(app.screen_stack) == 1

        # the failing audit and its offending row; enter on the row opens that driver's week
        audits = app.query_one("#audits-table")
        assert app.focused is audits
        await press(pilot, *["down"] * audits.visible_keys.index("overlap"))
        assert audits.selected_key == "overlap"
        offending = app.query_one("#offending-table")
        assert offending.row_count == 1
        driver, day, finding = offending.row_text(0)
        assert "starts" in finding and "before" in finding
        await press(pilot, "tab")
        assert app.focused is offending
        await press(pilot, "enter")
        assert isinstance(app.screen, DriverWeekScreen)
        assert text_of(app, "#driver-week-title").startswith(f"driver {driver} · run 3 ·")
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1 and app.section == "review"


async def test_a_viewer_sees_every_action_dimmed(cockpit):
    app = cockpit("vic")
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        for key in ("P", "L", "X", "s", "i"):
            assert binding(app, key) is not None and not binding(app, key).enabled, key
        assert "✗ blocked: role viewer may not publish" in text_of(app, "#review-actions")
        for key in ("P", "X", "s", "i"):
            await press(pilot, key)
            assert isinstance(app.screen, BlockedNotice), key
            assert "role viewer may not" in text_of(app, "#blocked-why"), key
            await press(pilot, "escape")
        assert len(app.screen_stack) == 1


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("size", [(80, 24)])
async def test_read_only_hides_every_write(cockpit, store, size):
    before = digest(store)
    app = cockpit("dana", read_only=True)
    async with running(app, size) as pilot:
        assert text_of(app, "#status-bar").startswith(" solvereign [read-only]")
        await open_run(pilot, world.DEMO_RUN)
        for key, action in (("P", "publish"), ("L", "lock"), ("X", "reject"), ("s", "solve"),
                            ("i", "import_forecast"), ("d", "demo")):
            assert binding(app, key) is None, key
            assert app.check_action(action, ()) is False, action
        for key in ("1", "2", "3", "4", "5", "D", "slash", "question_mark", "q"):
            assert binding(app, key) is not None, key
        # no write action, not even dimmed (the outbox only reads)
        assert set(footer(app)) == {"Next pane", "Filter", "Help", "Quit", "Outbox", "palette"}
        assert text_of(app, "#review-actions") == "read-only: no actions"
        await press(pilot, "P", "L", "X", "s", "i", "d")
        assert len(app.screen_stack) == 1
        await press(pilot, "3", "4", "5", "r")
    assert digest(store) == before  # not a byte written
    assert state_of(store, world.DEMO_RUN) == "AUDITED"
