"""`e`: where the export goes, shown and editable; an existing file is never overwritten
without a second enter."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class ExportDialog(ModalScreen[Path | None]):
    """Dismisses with the path to write (its folder exists), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, what: str, proposed: Path) -> None:
        super().__init__()
        self._what = what
        self._proposed = proposed
        self._confirmed: Path | None = None  # an existing file the user chose to overwrite

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(f"Export {self._what} to CSV", classes="dialog-title", markup=False)
            yield Input(value=str(self._proposed), id="export-path")
            yield Static("enter writes the file · edit the path to put it elsewhere", markup=False, id="export-hint")
            yield Static("enter export · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#export-path")
    def _changed(self) -> None:
        self._confirmed = None
        self._hint("enter writes the file · edit the path to put it elsewhere")

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._hint("✗ give a file path")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            self._hint(f"✗ {path} is a folder: give a file name")
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            self._hint(f"▲ {path.name} exists: enter again overwrites it, or edit the name")
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._hint(f"✗ cannot create {path.parent}: {exc.strerror or exc}")
            return
        self.dismiss(path)

    def _hint(self, text: str) -> None:
        self.query_one("#export-hint", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
