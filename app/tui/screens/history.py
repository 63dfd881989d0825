"""Section 5 — the plan's approval records and whether the hash chain verifies."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.tui.widgets.table import RosterTable
from storage.models import ApprovalRecord, ChainReport

COLUMNS = ("#", "at", "action", "from → to", "who", "role", "reason", "conditions")


class HistorySection(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("Open a run first (1, then enter).", markup=False, id="history-title")
        yield Static("", markup=False, id="history-chain")
        yield RosterTable(id="history-table")

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    def show_history(self, run_id: int, records: list[ApprovalRecord], chain: ChainReport, when) -> None:
        rows = [
            (
                str(r.seq),
                (str(r.seq), when(r.at), r.action, f"{r.from_state or '-'} → {r.to_state}", r.actor, r.role, r.reason,
                 ",".join(r.conditions_met)),
            )
            for r in records
        ]
        self.table.set_data(COLUMNS, rows)
        self.query_one("#history-title", Static).update(f"run {run_id}: {len(rows)} approval record(s)")
        if chain.ok:
            text = "✓ hash chain verifies (" + ", ".join(f"{s.site}: {s.records} records" for s in chain.sites) + ")"
        else:
            bad = next(s for s in chain.sites if not s.ok)
            text = f"✗ HASH CHAIN BROKEN at site {bad.site}, record {bad.first_broken.seq}: {bad.first_broken.problem}"
        self.query_one("#history-chain", Static).update(text)
