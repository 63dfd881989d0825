"""Section 2 — run review: KPIs against targets, bound and gap, hours, audits, approvals, actions."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from app.i18n import N_, _, day
from app.ops.runs import RunView, is_blocked_step
from app.reports import outbox_line
from app.tui.actions import key_of
from app.tui.widgets.hours_chart import HoursChart
from app.tui.widgets.table import RosterTable
from engine.models import fmt_hhmm

OFFENDING_TITLE = N_("offending rows (enter: driver's week)")
UNCOVERED_TITLE = N_("uncovered tours: no driver can legally work them")
ACTION_WORDS = (N_("publish"), N_("lock"), N_("reject"))  # the review's action lines, translated as `_(name)`
KPI_TARGETS = (N_("as few as possible"),)  # engine.kpis' one target in words (the others are figures)



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
        Binding("tab", "app.focus_next", N_("Next pane"), id="review.next"),
        Binding("shift+tab", "app.focus_previous", N_("Previous pane"), id="review.previous", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: RunView | None = None

    def compose(self) -> ComposeResult:
        with ReviewPane(id="review-left"):
            yield Static(_("Open a run from the runs list (1, then enter)."), markup=False, id="review-title")
            yield Static("", markup=False, id="review-warnings")
            yield Static(_("KPIs"), classes="panel-title")
            yield Static("", markup=False, id="review-kpis")
            yield Static("", markup=False, id="review-bound")
            yield Static(_("hours per driver"), classes="panel-title")
            yield HoursChart("", markup=False, id="review-hours")
        with ReviewPane(id="review-right"):
            yield Static(_("audits"), classes="panel-title")
            yield RosterTable(id="audits-table")
            yield Static(_(OFFENDING_TITLE), classes="panel-title", id="offending-title")
            yield RosterTable(id="offending-table")
            yield Static(_("approvals"), classes="panel-title")
            yield Static("", markup=False, id="review-approvals")
            yield Static("", markup=False, id="review-outbox")
            yield Static(_("actions"), classes="panel-title")
            yield Static("", markup=False, id="review-actions")

    @property
    def view(self) -> RunView | None:
        return self._view

    def show_run(self, view: RunView, *, read_only: bool, when) -> None:
        self._view = view
        r = view.run
        self.query_one("#review-title", Static).update(
            _("run {id} · {site} · week of {week} · v{version} · {state} · forecast {forecast} ({status}) · {tours} tours").format(
                id=r.id, site=r.site, week=r.week_anchor, version=r.version, state=r.state, forecast=r.forecast_id,
                status=r.forecast_status, tours=view.tour_count)
        )
        warn = []
        if view.uncovered:
            warn.append(_("✖ FAILED: no legal plan covers {n} of {tours} tours (listed under 'uncovered tours', with why)").format(
                n=len(view.uncovered), tours=view.tour_count))
        elif r.error_text:
            warn.append(_("✖ ERROR {text}").format(text=r.error_text))
        if view.needs_second_approver:  # banners follow the state: not on a FAILED or PUBLISHED plan
            warn.append(_("▲ WARNINGS: publishing needs a second approver (ops_lead)"))
        if view.awaiting_second_approver:
            warn.append(_("▲ WAITING FOR A SECOND APPROVER"))
        warnings = self.query_one("#review-warnings", Static)
        warnings.update("\n".join(warn))
        warnings.display = bool(warn)
        self._show_kpis(view)
        audits = self.query_one("#audits-table", RosterTable)
        audits.set_data(
            (N_("audit"), N_("result"), N_("violations")),
            [(a.name, (a.name, "✓ PASS" if a.status == "PASS" else "✗ FAIL", str(a.violations))) for a in view.detail.audits],
        )
        self._show_offending(audits.selected_key)
        lines = [
            f"{when(rec.at)}  {rec.action:<8} {rec.actor} ({rec.role}) {rec.from_state or '-'}→{rec.to_state}"
            + (f"  “{rec.reason}”" if rec.reason else "")
            for rec in view.detail.approvals
            if rec.action in ("approve", "publish", "lock", "reject", "supersede", "override")
        ]
        self.query_one("#review-approvals", Static).update("\n".join(lines) or _("none yet"))
        outbox = self.query_one("#review-outbox", Static)
        outbox.update(outbox_line(view.outbox) + " · " + _("{key}: the outbox").format(key=key_of("outbox")))
        outbox.display = bool(view.outbox) or r.state == "LOCKED"
        self.query_one("#review-actions", Static).update(self._actions_text(view, read_only))

    def _show_kpis(self, view: RunView) -> None:
        k = view.kpis
        if k is None:
            self.query_one("#review-kpis", Static).update(_("no plan"))
            self.query_one("#review-bound", Static).update("")
            self.query_one("#review-hours", HoursChart).show([])
            return
        target = _("target")
        rows = [
            f"{c.symbol} {'OK   ' if c.status == 'OK' else 'ALERT'} {c.name:<11} {c.display:>8}  {target} {_(c.target)}"
            for c in k.checks
        ]
        rows.append(_("hours avg {avg} · min {min} · max {max} · total {total}").format(
            avg=f"{k.avg_hours:g}", min=f"{k.min_hours:g}", max=f"{k.max_hours:g}", total=f"{k.total_hours:g}"))
        rows.append(_("blocks") + " " + " · ".join(f"{kind} {n}" for kind, n in k.block_mix.items()))
        rows.append(_("peak concurrency") + " " + " · ".join(f"{day(int(d))} {n}" for d, n in k.peak_concurrency.items()))
        self.query_one("#review-kpis", Static).update("\n".join(rows))
        b = view.lower_bound
        bound = (
            _("lower bound {value} drivers (path cover {path_cover}, hours {hours}, per day {per_day})").format(
                value=b.value, path_cover=b.path_cover, hours=b.hours, per_day=b.per_day) + "\n"
            + _("drivers {drivers} · gap {gap} %").format(drivers=k.drivers, gap=f"{100 * (view.gap or 0):.1f}")
            if b else ""
        )
        self.query_one("#review-bound", Static).update(bound)
        self.query_one("#review-hours", HoursChart).show([w.hours for w in view.weeks])

    @staticmethod
    def _actions_text(view: RunView, read_only: bool) -> str:
        if read_only:
            return _("read-only: no actions")
        lines = []
        for name, st in view.actions.items():
            key = key_of(name)
            verdict = (_("✓ possible ({transition})").format(transition=st.transition) if st.possible
                       else _("✗ blocked: {why}").format(why=st.why_not))
            lines.append(f"{key} {_(name):<8} {verdict}" + "".join(f"; {effect}" for effect in st.effects))
        lines.extend(_("next: {step}").format(step=step) for step in _next_keys(view))
        return "\n".join(lines)

    @on(RosterTable.RowHighlighted, "#audits-table")
    def _audit_highlighted(self, event: RosterTable.RowHighlighted) -> None:
        self._show_offending(event.key)

    def _show_offending(self, audit_name: str | None) -> None:
        table = self.query_one("#offending-table", RosterTable)
        uncovered = self._view.uncovered if self._view else []
        self.query_one("#offending-title", Static).update(_(UNCOVERED_TITLE if uncovered else OFFENDING_TITLE))
        if uncovered:  # a FAILED run has no audits: the tours it could not cover, and why
            table.set_data((N_("tour"), N_("day"), N_("why")), [
                (f"-|{u.instance_id}", (u.instance_id, f"{day(u.day)} {fmt_hhmm(u.start)}–{fmt_hhmm(u.end)}",
                                        f"{u.rule}: {u.why}"))
                for u in uncovered
            ])
            return
        audit = next((a for a in self._view.detail.audits if a.name == audit_name), None) if self._view else None
        rows = []
        for n, row in enumerate(audit.rows if audit else []):
            driver = str(row.get("driver") or "-")
            rows.append((f"{driver}|{n}", (driver, str(row.get("day") or "-"), str(row.get("message", "")))))
        table.set_data((N_("driver"), N_("day"), N_("finding")), rows)

    @on(RosterTable.RowSelected, "#offending-table")
    def _offending_selected(self, event: RosterTable.RowSelected) -> None:
        key = event.key
        if key and not key.startswith("-|"):
            self.post_message(JumpToDriver(key.split("|", 1)[0]))


def _next_keys(view: RunView) -> list[str]:
    """What to do next, by key (the command line's `show-run` names the commands)."""
    if view.awaiting_second_approver:
        return [_("a second approver (ops_lead, another user) presses {key} publish").format(key=key_of("publish"))]
    steps = [f"{key_of(name)} {_(name)}" for name in ("publish", "lock") if view.actions[name].possible]

    return steps or [step for step in view.next_steps if is_blocked_step(step)]

