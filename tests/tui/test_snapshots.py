"""SVG snapshots of the main screens at 80×24 and 120×40 (pytest-textual-snapshot).

Deterministic: the world's store at a constant path (/tmp/solvereign-tui-snapshots, shown in
the status bar), a fixed clock and seed, no automatic refresh, no animations, no blinking
cursor, no toasts; every worker has finished before the picture is taken.

After a deliberate change of the screens: `pytest tests/tui/test_snapshots.py --snapshot-update`,
then look at the pictures (snapshot_report.html, or `rsvg-convert -w 1400 X.svg -o X.png`).
"""

from __future__ import annotations

import pytest
import tui_world as world
from tui_helpers import SNAP_DIR, make_cockpit, press, settle

from fixtures.generator import generate_week

MAIN = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def cockpit(store, **kw):
    return make_cockpit(store, "dana", **kw)


def steps(*keys: str, run: int | None = None, then=None):
    """A run_before: settle; open `run` (if any); press `keys`; settle; call `then(pilot)`."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        if run is not None:
            table = pilot.app.query_one("#runs-table")
            assert table.select_key(str(run))
            await press(pilot, "enter")
        if keys:
            await press(pilot, *keys)
        if then is not None:
            await then(pilot)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", MAIN)
def test_runs(snap_compare, snapshot_store, size):
    assert snap_compare(cockpit(snapshot_store), terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", MAIN)
def test_review(snap_compare, snapshot_store, size):
    assert snap_compare(cockpit(snapshot_store), terminal_size=size, run_before=steps(run=world.DEMO_RUN))


def test_review_failing_audit(snap_compare, snapshot_store):
    """Run 3: publish blocked with the reason, the overlap audit selected, its offending row."""

    async def select_overlap(pilot) -> None:
        audits = pilot.app.query_one("#audits-table")
        await press(pilot, *["down"] * audits.visible_keys.index("overlap"))

    assert snap_compare(cockpit(snapshot_store), terminal_size=(120, 40),
                        run_before=steps(run=world.BROKEN_RUN, then=select_overlap))


@pytest.mark.parametrize("size", MAIN)
def test_drivers(snap_compare, snapshot_store, size):
    assert snap_compare(cockpit(snapshot_store), terminal_size=size, run_before=steps("3", run=world.GEN_RUN))


def test_driver_week(snap_compare, snapshot_store):
    assert snap_compare(cockpit(snapshot_store), terminal_size=(120, 40),
                        run_before=steps("3", "down", "down", "enter", run=world.GEN_RUN))


def test_tours(snap_compare, snapshot_store):
    assert snap_compare(cockpit(snapshot_store), terminal_size=(120, 40), run_before=steps("4", run=world.GEN_RUN))


def test_tour_detail(snap_compare, snapshot_store):
    """enter on the third tour: its instance, driver, block and the rules around it."""
    assert snap_compare(cockpit(snapshot_store), terminal_size=(80, 24),
                        run_before=steps("4", "down", "down", "enter", run=world.GEN_RUN))


def test_history(snap_compare, snapshot_store):
    assert snap_compare(cockpit(snapshot_store), terminal_size=(120, 40), run_before=steps("5", run=world.DEMO_RUN))


def test_reason_dialog(snap_compare, snapshot_store):
    """P on run 2 with a reason typed: what will happen, the conditions, "ready"."""
    assert snap_compare(cockpit(snapshot_store), terminal_size=(80, 24),
                        run_before=steps("P", *"checked twice", run=world.DEMO_RUN))


def test_help(snap_compare, snapshot_store):
    assert snap_compare(cockpit(snapshot_store), terminal_size=(80, 24), run_before=steps("question_mark"))


def test_import_report(snap_compare, snapshot_store, monkeypatch):
    """i, a relative path typed, enter: the validation report and "enter again to store"."""
    (SNAP_DIR / "week.csv").write_text(generate_week(120, seed=3), encoding="utf-8")
    monkeypatch.chdir(SNAP_DIR)
    assert snap_compare(cockpit(snapshot_store), terminal_size=(120, 40),
                        run_before=steps("i", *"week.csv", "enter"))


def test_too_small(snap_compare, snapshot_store):
    assert snap_compare(cockpit(snapshot_store), terminal_size=(70, 20), run_before=steps())


def test_blocked_notice(snap_compare, snapshot_store):
    """P on a run whose overlap audit fails: the notice says why in one line."""
    assert snap_compare(cockpit(snapshot_store), terminal_size=(80, 24), run_before=steps("P", run=world.BROKEN_RUN))


# --- German (--lang de) at 80×24: every section, the help and the dialogs ------------------------

@pytest.fixture
def german():
    """The cockpit in German (set before the app is built; tests/conftest.py sets English again)."""
    from app.i18n import set_language

    set_language("de")


GERMAN = [
    pytest.param(steps(), id="runs"),
    pytest.param(steps(run=world.DEMO_RUN), id="review"),
    pytest.param(steps("3", run=world.GEN_RUN), id="drivers"),
    pytest.param(steps("4", run=world.GEN_RUN), id="tours"),
    pytest.param(steps("5", run=world.DEMO_RUN), id="history"),
    pytest.param(steps("3", "down", "down", "enter", run=world.GEN_RUN), id="driver_week"),
    pytest.param(steps("question_mark"), id="help"),
    pytest.param(steps("P", *"zweimal geprüft", run=world.DEMO_RUN), id="reason_dialog"),
    pytest.param(steps("P", run=world.BROKEN_RUN), id="blocked_notice"),
]


@pytest.mark.parametrize("run_before", GERMAN)
def test_german(snap_compare, snapshot_store, german, run_before):
    assert snap_compare(cockpit(snapshot_store), terminal_size=(80, 24), run_before=run_before)
