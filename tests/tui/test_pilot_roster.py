"""Pilot test of the driver roster screen (`D`): what `solvereign drivers import` stored, by site."""

from __future__ import annotations

from tui_helpers import press, running, session, text_of

from app.ops.roster import import_drivers
from app.tui.screens.roster import COLUMNS, EMPTY, RosterScreen
from testdata import FIXTURES


async def test_the_roster_screen_lists_the_sites_drivers(cockpit, store):
    app = cockpit("vic")  # a viewer may look at the roster
    async with running(app, (120, 40)) as pilot:
        await press(pilot, "D")
        assert isinstance(app.screen, RosterScreen)
        assert text_of(app, "#roster-title") == EMPTY
        assert app.screen.query_one("#roster-table").row_count == 0
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1

        dana = session(store)
        import_drivers(dana, "wien", (FIXTURES / "roster_wien.csv").read_bytes())
        import_drivers(dana, "graz", b"external_id,name,contract_type,max_hours_week\nG-1,Gerda Graz,part_time,25\n")
        await press(pilot, "D")
        table = app.screen.query_one("#roster-table")
        assert list(table.visible_keys) == ["graz/G-1", "wien/DRV-1", "wien/DRV-2", "wien/DRV-3", "wien/DRV-4"]
        assert text_of(app, "#roster-title").startswith("driver roster · 5 drivers at graz, wien")
        assert table.row_text(0) == ("G-1", "graz", "Gerda Graz", "part_time", "25", "standard", "default", "-", "-")
        assert table.row_text(1) == ("DRV-1", "wien", "Anna Berger", "full_time", "48", "standard, cooling", "nord", "Sat,Sun", "email")
        assert tuple(COLUMNS) == ("id", "site", "name", "contract", "max h", "skills", "depot", "unavailable", "channel")

        import_drivers(dana, "wien", b"external_id,name\nDRV-5,Eva Neu\n")
        await press(pilot, "r")  # read again
        assert "wien/DRV-5" in table.visible_keys
        await press(pilot, "2")  # section keys belong to the main screen
        assert isinstance(app.screen, RosterScreen)
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1 and app.section == "runs"
