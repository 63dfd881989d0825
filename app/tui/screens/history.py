"""Section 5 — the plan's approval records and whether the hash chain verifies."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.i18n import N_, _
from app.tui.widgets.table import RosterTable
from storage.models import ApprovalRecord, ChainReport

COLUMNS = ("#", N_("at"), N_("action"), N_("from → to"), N_("who"), N_("role"), N_("reason"), N_("conditions"))


class HistorySection(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(_("Open a run first (1, then enter)."), markup=False, id="history-title")
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
        self.query_one("#history-title", Static).update(
            _("run {id}: {n} approval record(s)").format(id=run_id, n=len(rows)))

        if chain.ok:
            sites = ", ".join(_("{site}: {n} records").format(site=s.site, n=s.records) for s in chain.sites)
            text = _("✓ hash chain verifies ({sites})").format(sites=sites)
        else:
            bad = next(s for s in chain.sites if not s.ok)
            text = _("✗ HASH CHAIN BROKEN at site {site}, record {seq}: {problem}").format(
                site=bad.site, seq=bad.first_broken.seq, problem=bad.first_broken.problem)

        self.query_one("#history-chain", Static).update(text)
