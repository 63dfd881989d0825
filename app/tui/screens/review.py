"""Section 2 — run review: KPIs against targets, bound and gap, hours, audits, approvals, actions."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from app.ops.runs import RunView
from app.tui.actions import key_of
from app.tui.widgets.hours_chart import HoursChart
from app.tui.widgets.table import RosterTable
from engine.models import DAY_CODES, fmt_hhmm

OFFENDING_TITLE = "offending rows (enter: driver's week)"
UNCOVERED_TITLE = "uncovered tours: no driver can legally work them"


class JumpToDriver(Message):
    def __init__(self, driver_id: str) -> None:
        super().__init__()
        self.driver_id = driver_id


class ReviewPane(VerticalScroll):
    """One half of the review. Focusable (tab), scrolled by ↑ ↓ pgup pgdn home end, and marked
    when focused by a thick left edge (visible without colour), so at 80×24 every part of the
    review (the hours, the bound, the approvals, the actions) is reachable by keyboard."""


class ReviewSection(Horizontal):
    BINDINGS = [
        Binding("tab", "app.focus_next", "Next pane", id="review.next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", id="review.previous", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: RunView | None = None

    def compose(self) -> ComposeResult:
        with ReviewPane(id="review-left"):
            yield Static("Open a run from the runs list (1, then enter).", markup=False, id="review-title")
            yield Static("", markup=False, id="review-warnings")
            yield Static("KPIs", classes="panel-title")
            yield Static("", markup=False, id="review-kpis")
            yield Static("", markup=False, id="review-bound")
            yield Static("hours per driver", classes="panel-title")
            yield HoursChart("", markup=False, id="review-hours")
        with ReviewPane(id="review-right"):
            yield Static("audits", classes="panel-title")
            yield RosterTable(id="audits-table")
            yield Static(OFFENDING_TITLE, classes="panel-title", id="offending-title")
            yield RosterTable(id="offending-table")
            yield Static("approvals", classes="panel-title")
            yield Static("", markup=False, id="review-approvals")
            yield Static("actions", classes="panel-title")
            yield Static("", markup=False, id="review-actions")

    @property
    def view(self) -> RunView | None:
        return self._view

    def show_run(self, view: RunView, *, read_only: bool, when) -> None:
        self._view = view
        r = view.run
        self.query_one("#review-title", Static).update(
            f"run {r.id} · {r.site} · week of {r.week_anchor} · v{r.version} · {r.state} · "
            f"forecast {r.forecast_id} ({r.forecast_status}) · {view.tour_count} tours"
        )
        warn = []
        if view.uncovered:
            warn.append(f"✖ FAILED: no legal plan covers {len(view.uncovered)} of {view.tour_count} tours "
                        "(listed under 'uncovered tours', with why)")
        elif r.error_text:
            warn.append(f"✖ ERROR {r.error_text}")
        if view.needs_second_approver:  # banners follow the state: not on a FAILED or PUBLISHED plan
            warn.append("▲ WARNINGS: publishing needs a second approver (ops_lead)")
        if view.awaiting_second_approver:
            warn.append("▲ WAITING FOR A SECOND APPROVER")
        warnings = self.query_one("#review-warnings", Static)
        warnings.update("\n".join(warn))
        warnings.display = bool(warn)
        self._show_kpis(view)
        audits = self.query_one("#audits-table", RosterTable)
        audits.set_data(
            ("audit", "result", "violations"),
            [(a.name, (a.name, "✓ PASS" if a.status == "PASS" else "✗ FAIL", str(a.violations))) for a in view.detail.audits],
        )
        self._show_offending(audits.selected_key)
        lines = [
            f"{when(rec.at)}  {rec.action:<8} {rec.actor} ({rec.role}) {rec.from_state or '-'}→{rec.to_state}"
            + (f"  “{rec.reason}”" if rec.reason else "")
            for rec in view.detail.approvals
            if rec.action in ("approve", "publish", "lock", "reject", "supersede", "override")
        ]
        self.query_one("#review-approvals", Static).update("\n".join(lines) or "none yet")
        self.query_one("#review-actions", Static).update(self._actions_text(view, read_only))

    def _show_kpis(self, view: RunView) -> None:
        k = view.kpis
        if k is None:
            self.query_one("#review-kpis", Static).update("no plan")
            self.query_one("#review-bound", Static).update("")
            self.query_one("#review-hours", HoursChart).show([])
            return
        rows = [
            f"{c.symbol} {'OK   ' if c.status == 'OK' else 'ALERT'} {c.name:<11} {c.display:>8}  target {c.target}"
            for c in k.checks
        ]
        rows.append(f"hours avg {k.avg_hours:g} · min {k.min_hours:g} · max {k.max_hours:g} · total {k.total_hours:g}")
        rows.append("blocks " + " · ".join(f"{kind} {n}" for kind, n in k.block_mix.items()))
        rows.append("peak concurrency " + " · ".join(f"{DAY_CODES[int(d) - 1]} {n}" for d, n in k.peak_concurrency.items()))
        self.query_one("#review-kpis", Static).update("\n".join(rows))
        b = view.lower_bound
        bound = (
            f"lower bound {b.value} drivers (path cover {b.path_cover}, hours {b.hours}, per day {b.per_day})\n"
            f"drivers {k.drivers} · gap {100 * (view.gap or 0):.1f} %"
            if b else ""
        )
        self.query_one("#review-bound", Static).update(bound)
        self.query_one("#review-hours", HoursChart).show([w.hours for w in view.weeks])

    @staticmethod
    def _actions_text(view: RunView, read_only: bool) -> str:
        if read_only:
            return "read-only: no actions"
        lines = []
        for name, st in view.actions.items():
            key = key_of(name)
            verdict = f"✓ possible ({st.transition})" if st.possible else f"✗ blocked: {st.why_not}"
            lines.append(f"{key} {name:<8} {verdict}" + "".join(f"; {effect}" for effect in st.effects))
        lines.extend(f"next: {step}" for step in _next_keys(view))
        return "\n".join(lines)

    @on(RosterTable.RowHighlighted, "#audits-table")
    def _audit_highlighted(self, event: RosterTable.RowHighlighted) -> None:
        self._show_offending(event.key)

    def _show_offending(self, audit_name: str | None) -> None:
        table = self.query_one("#offending-table", RosterTable)
        uncovered = self._view.uncovered if self._view else []
        self.query_one("#offending-title", Static).update(UNCOVERED_TITLE if uncovered else OFFENDING_TITLE)
        if uncovered:  # a FAILED run has no audits: the tours it could not cover, and why
            table.set_data(("tour", "day", "why"), [
                (f"-|{u.instance_id}", (u.instance_id, f"{DAY_CODES[u.day - 1]} {fmt_hhmm(u.start)}–{fmt_hhmm(u.end)}",
                                        f"{u.rule}: {u.why}"))
                for u in uncovered
            ])
            return
        audit = next((a for a in self._view.detail.audits if a.name == audit_name), None) if self._view else None
        rows = []
        for n, row in enumerate(audit.rows if audit else []):
            driver = str(row.get("driver") or "-")
            rows.append((f"{driver}|{n}", (driver, str(row.get("day") or "-"), str(row.get("message", "")))))
        table.set_data(("driver", "day", "finding"), rows)

    @on(RosterTable.RowSelected, "#offending-table")
    def _offending_selected(self, event: RosterTable.RowSelected) -> None:
        key = event.key
        if key and not key.startswith("-|"):
            self.post_message(JumpToDriver(key.split("|", 1)[0]))


def _next_keys(view: RunView) -> list[str]:
    """What to do next, by key (the command line's `show-run` names the commands)."""
    if view.awaiting_second_approver:
        return [f"a second approver (ops_lead, another user) presses {key_of('publish')} publish"]
    steps = [f"{key_of(name)} {name}" for name in ("publish", "lock") if view.actions[name].possible]
    return steps or [step for step in view.next_steps if step.startswith("blocked")]
