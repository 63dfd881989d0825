"""`o`: pick the column to sort by (the one sorted by already: the other way round)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from app.i18n import N_, _


class SortPicker(ModalScreen[int | None]):
    """Dismisses with the chosen column's index, or None."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="sort.cancel")]

    def __init__(self, columns: list[str], sorted_by: int | None, descending: bool) -> None:
        super().__init__()
        self._columns = columns
        self._sorted_by = sorted_by
        self._descending = descending

    def compose(self) -> ComposeResult:
        options = []
        for i, name in enumerate(self._columns):
            mark = "  " + (_("▼ (enter: ▲)") if self._descending else _("▲ (enter: ▼)")) if i == self._sorted_by else ""

            options.append(Option(f"{name}{mark}", id=str(i)))
        with Vertical(classes="dialog", id="sort-picker"):
            yield Label(_("Sort by"), classes="dialog-title")
            yield OptionList(*options, id="sort-columns")
            yield Static(_("↑ ↓ choose · enter sorts · esc cancel"), classes="dialog-keys")


    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        picker.highlighted = self._sorted_by or 0
        picker.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
