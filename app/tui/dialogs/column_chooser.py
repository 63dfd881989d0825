"""`c`: choose which columns of the current table show. The first column (the row's name: run,
driver, tour) always stays; each toggle applies at once, so the table behind shows the effect."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static

from app.i18n import N_, _


class ColumnChooser(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", N_("Close"), id="columns.close", priority=True)]

    def __init__(self, columns: list[str], hidden: set[int], apply: Callable[[set[int]], None]) -> None:
        """`apply(hidden)` is called on every toggle with the indices to hide."""
        super().__init__()
        self._columns = columns
        self._hidden = hidden
        self._apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="column-chooser"):
            yield Label(_("Columns ({column} always shows)").format(column=self._columns[0]), classes="dialog-title", markup=False)
            yield SelectionList[int](*((name, i, i not in self._hidden) for i, name in enumerate(self._columns) if i),
                                     id="column-list")
            yield Static(_("↑ ↓ choose · space shows / hides · enter or esc close"), classes="dialog-keys")


    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged) -> None:
        shown = set(event.selection_list.selected)
        self._apply({i for i in range(1, len(self._columns)) if i not in shown})

    def action_close(self) -> None:
        self.dismiss(None)
