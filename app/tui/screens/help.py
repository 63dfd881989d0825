"""`?` — every key of the cockpit."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from app.i18n import N_, _
from app.tui.actions import help_rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", N_("Close"), id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(_("Keys"), classes="dialog-title")
            yield Static(_key_table())
            yield Static(_("Disabled actions stay in the footer, dimmed; pressing one says why."), classes="dialog-keys")
            yield Static(_("esc / ? close"), classes="dialog-keys")



def _key_table() -> Table:
    """Keys on the left, what they do wrapped in its own column (readable at 80 columns)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column()
    for key, what in help_rows():
        grid.add_row(Text(key, style="bold"), Text(what))
    return grid
