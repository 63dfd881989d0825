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
        await press(pilot, "o")
        assert _line(app) == "! o Sort: not in the forecasts — esc back to Drivers"
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
