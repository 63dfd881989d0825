"""The cockpit in German beyond the snapshots: every pushed screen opens and speaks German, a
disabled key and a key that does not apply say so in German, the palette offers German entries."""

from __future__ import annotations

import pytest
import tui_world as world
from tui_helpers import open_run, press, running, text_of

from app.i18n import set_language
from app.tui.dialogs.blocked import BlockedNotice


@pytest.fixture
def german():
    set_language("de")  # tests/conftest.py sets English again


async def test_every_screen_opens_in_german(cockpit, german):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "s")
        assert "Eine Prognose berechnen" in str(app.screen.query_one(".dialog-title").render())
        assert app.screen.query_one("#solve-forecasts").columns[:3] == ["id", "Standort", "Woche"]
        await press(pilot, "escape", "i")
        assert "Eine Prognose importieren" in str(app.screen.query_one(".dialog-title").render())
        assert text_of(app, "#import-hint").startswith("enter prüft")
        await press(pilot, "escape", "F")
        assert text_of(app, "#forecasts-title").startswith("Prognosen · ")
        await press(pilot, "escape", "D")
        assert text_of(app, "#roster-title").startswith("Noch keine Fahrer im Fahrerstamm")
        await press(pilot, "escape", "H")
        assert text_of(app, "#drills-title").startswith("Übungen · ")
        await press(pilot, "escape")
        await open_run(pilot, world.GEN_RUN)
        await press(pilot, "R")
        assert text_of(app, "#repair-title").startswith(f"Lauf {world.GEN_RUN} umplanen — Krankmeldung")
        await press(pilot, "ctrl+r")
        assert text_of(app, "#repair-result") == "✖ mindestens einen abwesenden Fahrer wählen (Leertaste in der Liste)"
        await press(pilot, "escape", "4")
        tours = app.query_one("#tours-table")
        assert tours.columns[:3] == ["Tour", "Tag", "Beginn"] and tours.row_text(0)[1] == "Mo"


async def test_refusals_and_keys_that_do_not_apply_speak_german(cockpit, german):
    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.BROKEN_RUN)
        await press(pilot, "P")
        assert isinstance(app.screen, BlockedNotice)
        assert text_of(app, "#blocked-why").startswith("✗ Kontrollen 6/7 bestanden; Freigeben braucht alle")
        await press(pilot, "escape", "F", "P")  # publish is a key of the main screen, not of the forecasts
        assert "P Freigeben: nicht in den Prognosen — esc zurück zu Prüfung" in text_of(app, "#message-line")


async def test_the_palette_speaks_german(cockpit, german):
    from textual.command import CommandPalette
    from textual.widgets import Input, OptionList

    app = cockpit()
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).placeholder == "Befehle suchen…"
        options = app.screen.query_one(OptionList)
        shown = [str(getattr(p, "plain", p)).splitlines()[0] for p in
                 (getattr(options.get_option_at_index(i).prompt, "renderables", [options.get_option_at_index(i).prompt])[0]
                  for i in range(options.option_count))]
        assert "Den offenen Lauf freigeben (P) — jetzt nicht" in shown and "Farbschema" in shown, shown
        assert f"Zu Lauf {world.GEN_RUN}" in shown, shown
