"""The message line: the cockpit's notices in one line above the footer, never over a table.

Textual's toasts float over the bottom right corner, where they hid table cells and the inputs
of the import and repair screens. Every `notify` of the cockpit lands here instead: one line
docked at the bottom of the current screen (above its footer), shown while the notice lasts;
the screen's content shrinks by that line rather than being covered. Severity is a sign as
well as a colour (✗ error, ! warning), so it reads without colour.
"""

from __future__ import annotations

from textual.notifications import Notification
from textual.timer import Timer
from textual.widgets import Static

SIGNS = {"error": "✗ ", "warning": "! ", "information": ""}


class MessageLine(Static):
    def __init__(self) -> None:
        super().__init__("", markup=False, id="message-line")
        self._timer: Timer | None = None
        self.display = False

    def show(self, notice: Notification) -> None:
        """Show a notice until its timeout (the newest replaces the one shown)."""
        text = " ".join(str(notice.message).split())  # one line, whatever the message held
        self.update(SIGNS.get(notice.severity, "") + text)
        self.set_classes(f"-{notice.severity}")
        self.display = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(notice.timeout, self.clear)

    def clear(self) -> None:
        self.display = False
        self.update("")
