"""Section 4 — every tour instance with its driver; `/` filters by day, time or driver."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.ops.runs import RunView
from app.tui.widgets.table import RosterTable
from engine.models import DAY_CODES, fmt_hhmm

COLUMNS = ("tour", "day", "start", "end", "hours", "split", "depot", "driver")


class ToursSection(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("Open a run first (1, then enter).", markup=False, id="tours-title")
        yield RosterTable(id="tours-table", fixed_columns=1)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    def show_run(self, view: RunView) -> None:
        assigned = view.detail.assignments
        rows = [
            (
                i.id,
                (
                    i.id, DAY_CODES[i.day - 1], fmt_hhmm(i.local_start), fmt_hhmm(i.local_start + (i.end - i.start)),
                    f"{i.work_minutes / 60:.2f}", "S" if i.is_split else "", i.depot, assigned.get(i.id, "UNASSIGNED"),
                ),
            )
            for i in view.detail.instances
        ]
        self.table.set_data(COLUMNS, rows)
        self.query_one("#tours-title", Static).update(
            f"run {view.run.id}: {len(rows)} tours · / filters by any text (e.g. 'Fr 05:', 'D012')"
        )
