"""Pilot test of the forecasts view (`F`): days covered, tours per day, and the diff of a completed week."""

from __future__ import annotations

import tui_world as world
from tui_helpers import press, running, session, text_of

from app.ops.forecasts import import_forecast
from app.tui.screens.forecasts import COLUMNS, ForecastsScreen

WEEK = "2026-01-12"


async def test_the_forecasts_view_shows_days_and_the_diff_to_the_previous_version(cockpit, store, tmp_path):
    partial, complete = tmp_path / "partial.txt", tmp_path / "complete.txt"
    partial.write_text("Mo 05:00-09:30 3 Fahrer\nDi 05:00-09:30 2 Fahrer\n", encoding="utf-8")
    complete.write_text("Mo 05:00-09:30 3 Fahrer\nDi 05:00-09:30 1 Fahrer\nMi 06:00-10:30 2 Fahrer\n", encoding="utf-8")
    dana = session(store)
    first = import_forecast(dana, partial, site=world.SITE2, anchor=WEEK).forecast.id
    second = import_forecast(dana, complete, site=world.SITE2, anchor=WEEK).forecast.id
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await press(pilot, "F")
        assert isinstance(app.screen, ForecastsScreen)
        table = app.screen.query_one("#forecasts-table")
        assert list(table.visible_keys)[:2] == [str(second), str(first)]  # newest first
        assert tuple(COLUMNS)[5:] == ("days", "tours per day", "warnings", "vs previous")
        row = table.row_text(0)
        assert row[5] == "Mon Tue Wed" and row[6] == "Mon 3 Tue 1 Wed 2" and row[8] == f"vs {first}: +2 −1 ~0"
        assert table.row_text(1)[5] == "Mon Tue" and table.row_text(1)[8] == "-"
        await press(pilot, "enter")
        detail = text_of(app, "#forecasts-diff")
        assert detail.startswith(f"forecast {first} (Mon Tue) → forecast {second} (Mon Tue Wed): 2 added, 1 removed, 0 changed")
        await press(pilot, "escape")
        assert len(app.screen_stack) == 1
