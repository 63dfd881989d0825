"""Section 3 — driver schedules: one row per driver, Mon–Sun blocks, hours, FTE/PT."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.ops.runs import RunView
from app.tui.widgets.table import RosterTable
from engine.models import DAY_CODES



class DriversSection(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("Open a run first (1, then enter).", markup=False, id="drivers-title")
        yield RosterTable(id="drivers-table", fixed_columns=1)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    def show_run(self, view: RunView) -> None:
        days = sorted({i.day for i in view.detail.instances})  # a week without Sunday tours shows no Sunday
        rows = []
        for w in view.weeks:
            cells = [w.blocks[d].label if d in w.blocks else "·" for d in days]
            rows.append((w.driver_id, (w.driver_id, f"{w.hours:.1f}", w.contract, *cells)))
        self.table.set_data(("driver", "hours", "type", *(DAY_CODES[d - 1] for d in days)), rows)
        pt = sum(not w.fte for w in view.weeks)
        self.query_one("#drivers-title", Static).update(
            f"run {view.run.id}: {len(view.weeks)} drivers ({pt} PT) · cell = first start–last end ×tours, S = split · enter: the driver's week"
        )
