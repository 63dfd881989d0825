"""Section 1 — runs in scope: one row per plan version, newest first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app import tables
from app.i18n import _
from app.tui.widgets.table import RosterTable
from storage.models import RunSummary

COLUMNS = ("id", "week", "site", "state", "in force", "v", "forecast", "tours", "drivers", "PT", "coverage", "audits",  # msgids: app/tables.py
           "gap", "by", "changed")


def run_rows(runs: list[RunSummary], when) -> list[tuple[str, tuple]]:
    """The cockpit's runs list: the cells `list-runs` prints too (app/tables.py)."""
    return tables.run_rows(runs, COLUMNS, when)


class RunsSection(Vertical):
    """The table, or a welcome that offers the demo week on an empty store."""

    def compose(self) -> ComposeResult:
        yield Static("", markup=False, id="runs-empty")
        yield RosterTable(id="runs-table", fixed_columns=1)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    def show_runs(self, rows: list[tuple[str, tuple]]) -> None:
        """A run that arrived (newest first) takes the cursor only when it rested on the newest
        run, where it starts: a cursor the user moved to another run stays on that run."""
        table = self.table
        follow = table.row_count > 0 and table.cursor_row == 0 and not table.filter_text
        table.set_dense(True)  # fifteen columns: one space between them, all of them at 120
        table.set_data(COLUMNS, rows)
        if follow and rows:
            table.select_key(rows[0][0])
        empty = self.query_one("#runs-empty", Static)
        empty.display = not rows
        self.table.display = bool(rows)
        if not rows:
            empty.update(_(
                "No runs in this store yet.\n\n"
                "Press d to load the demo week (generated, the week after today) and solve it,\n"
                "or i to import a forecast file, then s to solve it."
            ))

    def show_welcome(self, message: str, *, offer_demo: bool) -> None:
        """No usable store or user yet: say why (and offer the demo where there is no store)."""
        self.table.display = False
        empty = self.query_one("#runs-empty", Static)
        empty.display = True
        offer = _("Press d to create a demo store here with you as its admin and a solved demo week.")
        empty.update(f"{message}\n\n{offer}" if offer_demo else f"{message}\n\n" + _("Press r to try again, q to quit."))

