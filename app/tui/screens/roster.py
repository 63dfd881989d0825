"""`D` — the driver roster of the user's sites (what `solvereign drivers list` shows), read-only.

The store's roster is what a solve plans with, under each forecast's own `drivers`; it is
changed with `solvereign drivers import|remove`, so this screen only shows it.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.tables import DRIVER_COLUMNS, driver_rows
from app.tui.messages import RosterLoaded, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.table import RosterTable
from storage.errors import StoreError
from storage.models import DriverRecord

COLUMNS = tuple(c.name for c in DRIVER_COLUMNS)
EMPTY = N_("No drivers in the roster yet: solvereign drivers import FILE (CSV or JSON) adds them.")


class RosterScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="roster.back"),
        Binding("r", "reload", N_("Refresh"), id="roster.refresh"),
    ]
    DEFAULT_CSS = """
    #roster { padding: 0 1; height: 1fr; }
    #roster-title { text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="roster"):
            yield Static(_("driver roster · loading…"), markup=False, id="roster-title")
            yield RosterTable(id="roster-table", fixed_columns=1)
        yield CockpitFooter()

    def on_mount(self) -> None:
        self.query_one(RosterTable).focus()
        self.action_reload()

    @work(thread=True, exclusive=True, group="roster", exit_on_error=False)
    def action_reload(self) -> None:
        try:
            drivers = self.app.ctx.drivers()  # type: ignore[attr-defined]
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(said(exc)))
            return
        self.post_message(RosterLoaded(drivers))

    @on(RosterLoaded)
    def _loaded(self, message: RosterLoaded) -> None:
        self._show(message.drivers)

    def _show(self, drivers: list[DriverRecord]) -> None:
        self.query_one(RosterTable).set_data(COLUMNS, driver_rows(drivers))
        sites = sorted({d.site for d in drivers})
        title = _("driver roster · {n} drivers at {sites} · solvereign drivers import|remove").format(
            n=len(drivers), sites=", ".join(sites)) if drivers else _(EMPTY)
        self.query_one("#roster-title", Static).update(title)

    @on(WorkFailed)
    def _show_error(self, message: WorkFailed) -> None:
        message.stop()  # said here, not as the app's notice
        self.query_one("#roster-title", Static).update(_("driver roster: {reason}").format(reason=message.text))

