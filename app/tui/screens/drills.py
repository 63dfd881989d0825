"""Past drills next to the store with their verdicts; enter shows a drill's checks (its evidence)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.ops.drills import DrillReport
from app.tui.messages import DrillsLoaded, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.table import RosterTable
from storage.errors import StoreError


class DrillsScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"), id="drills.back")]

    def __init__(self) -> None:
        super().__init__()
        self._reports: dict[str, DrillReport] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="drills"):
            yield Static(_("drills · run them with solvereign drill sick-call|freeze-window|partial-forecast|break-glass · "
                           "enter: evidence"), markup=False, id="drills-title")
            yield RosterTable(id="drills-table")
            with VerticalScroll(id="drills-evidence-box"):
                yield Static("", markup=False, id="drills-evidence")
        yield CockpitFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="drills", exit_on_error=False)
    def _load(self) -> None:
        """The drills next to the store (the server's, in remote mode)."""
        try:
            reports = self.app.ctx.past_drills()  # type: ignore[attr-defined]
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(_("drills: {reason}").format(reason=said(exc))))
            return
        self.post_message(DrillsLoaded(reports))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        message.stop()  # said here, not as the app's notice
        self._evidence(message.text)

    def _evidence(self, text: str) -> None:
        self.query_one("#drills-evidence", Static).update(text)

    @on(DrillsLoaded)
    def _show(self, message: DrillsLoaded) -> None:
        self._reports = {r.evidence: r for r in message.reports}
        rows = [(r.evidence, (r.ran_at[:16], r.drill, r.verdict, str(r.plan_id), r.ran_by)) for r in self._reports.values()]
        self.query_one(RosterTable).set_data((N_("when"), N_("drill"), N_("verdict"), N_("plan"), N_("by")), rows)
        if not rows:
            self._evidence(_("no drills yet"))

    @on(RosterTable.RowSelected, "#drills-table")
    def _selected(self, event: RosterTable.RowSelected) -> None:
        report = self._reports.get(event.key or "")
        if report is None:
            return
        checks = [f"{'✓' if c.ok else '✗'} " + _("{name}: expected {expected}, got {actual}").format(
            name=c.name, expected=c.expected, actual=c.actual) for c in report.checks]
        self._evidence(f"{report.drill} {report.verdict} · {report.evidence}\n" + "\n".join(checks))
