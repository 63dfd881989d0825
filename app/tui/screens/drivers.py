"""Section 3 — driver schedules: one row per driver, Mon–Sun blocks, hours, FTE/PT.

Below 120 columns the cells are compact (`6–15½ 2`) so a driver's whole week fits 80
columns; from 120 columns on they are written out (`06:00–15:30 ×2`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.i18n import N_, _
from app.ops.runs import RunView
from app.tables import FULL_FROM, week_table
from app.tui.widgets.table import RosterTable

LEGEND_FULL = N_("cell = first start–last end ×tours, S = split · PT part-time · enter: the driver's week")
LEGEND_SHORT = N_("6–15½ 2 = 06:00 to 15:30, 2 tours (¼ :15 ½ :30 ¾ :45) · 6~19 split · PT part-time")



class DriversSection(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: RunView | None = None
        self._full = True

    def compose(self) -> ComposeResult:
        yield Static(_("Open a run first (1, then enter)."), markup=False, id="drivers-title")
        yield RosterTable(id="drivers-table", fixed_columns=1)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    def show_run(self, view: RunView, width: int | None = None) -> None:
        self._view = view
        self._full = (width or self.app.size.width) >= FULL_FROM
        days = sorted({i.day for i in view.detail.instances})  # a week without Sunday tours shows no Sunday
        self.table.set_dense(True)  # one space between cells: the whole week fits the width
        columns, rows = week_table(view.weeks, days, full=self._full)  # the cells `show-run --drivers` prints
        self.table.set_data([c.name for c in columns], rows)
        pt = sum(not w.fte for w in view.weeks)
        self.query_one("#drivers-title", Static).update(
            _("run {id}: {n} drivers ({pt} PT)").format(id=view.run.id, n=len(view.weeks), pt=pt)
            + " · " + _(LEGEND_FULL if self._full else LEGEND_SHORT)
        )

    def fit_width(self, width: int) -> None:
        """After a resize: the other form of the cells if the width crossed the line."""
        if self._view is not None and (width >= FULL_FROM) != self._full:
            self.show_run(self._view, width)

