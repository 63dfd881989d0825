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

from app.i18n import N_, _

HINT = N_("enter writes the file · edit the path to put it elsewhere")


class ExportDialog(ModalScreen[Path | None]):
    """Dismisses with the path to write (its folder exists), or None."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="export.cancel")]

    def __init__(self, what: str, proposed: Path) -> None:
        super().__init__()
        self._what = what
        self._proposed = proposed
        self._confirmed: Path | None = None  # an existing file the user chose to overwrite

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(_("Export {what} to CSV").format(what=self._what), classes="dialog-title", markup=False)
            yield Input(value=str(self._proposed), id="export-path")
            yield Static(_(HINT), markup=False, id="export-hint")
            yield Static(_("enter export · esc cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#export-path")
    def _changed(self) -> None:
        self._confirmed = None
        self._hint(_(HINT))

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._hint(_("✗ give a file path"))
            return
        path = Path(text).expanduser()
        if path.is_dir():
            self._hint(_("✗ {path} is a folder: give a file name").format(path=path))
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            self._hint(_("▲ {name} exists: enter again overwrites it, or edit the name").format(name=path.name))
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._hint(_("✗ cannot create {path}: {reason}").format(path=path.parent, reason=exc.strerror or exc))

            return
        self.dismiss(path)

    def _hint(self, text: str) -> None:
        self.query_one("#export-hint", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
