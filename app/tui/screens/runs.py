"""Section 1 — runs in scope: one row per plan version, newest first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.i18n import N_, _
from app.tui.widgets.table import RosterTable
from storage.models import RunSummary

COLUMNS = ("id", N_("week"), N_("site"), N_("state"), N_("in force"), "v", N_("forecast"), N_("tours"), N_("drivers"), N_("PT"),
           N_("coverage"), N_("audits"), N_("gap"), N_("by"), N_("changed"))
STATE_STYLE = {"LOCKED": "bold", "PUBLISHED": "bold", "FAILED": "bold red", "REJECTED": "dim", "SUPERSEDED": "dim"}
IN_FORCE = "●"
RANK = {"PUBLISHED": 0, "LOCKED": 1}  # a locked plan is in force over a published one


def in_force(runs: list[RunSummary]) -> set[int]:
    """The plan in force for each site and week: the LOCKED one, else the PUBLISHED one."""
    best: dict[tuple[str, object], RunSummary] = {}
    for r in runs:
        if r.state not in ("LOCKED", "PUBLISHED"):
            continue
        key = (r.site, r.week_anchor)
        held = best.get(key)
        if held is None or (RANK[r.state], r.version) > (RANK[held.state], held.version):
            best[key] = r
    return {r.id for r in best.values()}


def run_rows(runs: list[RunSummary], when) -> list[tuple[str, tuple]]:
    current = in_force(runs)
    return [(str(r.id), run_cells(r, when(r.updated_at), r.id in current)) for r in runs]


def run_cells(r: RunSummary, when: str, current: bool = False) -> tuple:
    k = r.kpis
    coverage = f"{100 * r.assigned_count / r.instance_count:.0f}%" if r.instance_count else "-"
    gap = f"{100 * k['gap']:.1f}%" if k.get("gap") is not None else "-"
    audits = f"{r.audits_passed}/{r.audits_total}" if r.audits_total else "-"
    return (
        str(r.id), str(r.week_anchor), r.site, Text(r.state, style=STATE_STYLE.get(r.state, "")),
        IN_FORCE if current else "", f"v{r.version}", str(r.forecast_id), str(r.instance_count or "-"),
        str(k.get("drivers", "-")), str(k.get("pt_drivers", "-")), coverage, audits, gap, r.created_by, when,
    )


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

