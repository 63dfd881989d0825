"""`?` — every key of the cockpit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from app.tui.actions import help_rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static("Keys", classes="dialog-title")
            yield Static("\n".join(f"{key:>7}  {what}" for key, what in help_rows()), markup=False)
            yield Static("Disabled actions stay in the footer, dimmed; pressing one says why.", classes="dialog-keys")
            yield Static("esc / ? close", classes="dialog-keys")
