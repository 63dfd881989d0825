"""The notice a disabled key opens: one line saying why, and nothing else happens.

It is modal on purpose. A dispatcher who presses `P` on a locked plan and, expecting the
reason dialog, types "new forecast 1385 tours" must not have `e`, `o` or `s` run as
commands: every key but esc and enter (which close it) is swallowed here.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from app.i18n import N_, _


class BlockedNotice(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", N_("Close"), id="blocked.close")]

    def __init__(self, key: str, title: str, why: str) -> None:
        super().__init__()
        self.key = key
        self.title_text = title
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="blocked-notice"):
            yield Label(_("{key} {action}: not possible now").format(key=self.key, action=self.title_text), classes="dialog-title",
                        markup=False)
            yield Static(f"✗ {self.why}", markup=False, id="blocked-why")
            yield Static(_("esc / enter close · other keys are ignored here"), classes="dialog-keys")


    def action_close(self) -> None:
        self.dismiss(None)
