"""The repair flow on the open run: pick the absent drivers, the type and a reason; preview (verdict,
uncovered before/after, churn, changes, frozen kept); apply as a new version; undo it; the diff.

Everything slow (the engine, the store) runs in thread workers that post back; the form stays usable.
Same effect as `solvereign repair|undo|diff`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Select, SelectionList, Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.ops.repair import ABSENCE_KINDS, RepairPreview
from app.tui.messages import RepairShown, RepairUndone, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from engine.diff import PlanDiff
from storage.errors import StoreError

if TYPE_CHECKING:
    from app.tui.backend import CockpitBackend


KIND_WORDS = (N_("sick"), N_("vacation"), N_("no_show"))  # ABSENCE_KINDS as the type picker shows them


class RepairScreen(Screen[int | None]):

    """Dismisses with the id of the applied (and not undone) version, or None."""

    BINDINGS = [
        Binding("ctrl+r", "preview", N_("Preview"), id="repair.preview", priority=True),
        Binding("ctrl+y", "apply", N_("Apply"), id="repair.apply", priority=True),
        Binding("ctrl+u", "undo", N_("Undo"), id="repair.undo", priority=True),
        Binding("escape", "close", N_("Back"), id="repair.back"),
    ]

    def __init__(self, ctx: CockpitBackend, run_id: int, drivers: list[str]) -> None:
        super().__init__()
        self._ctx, self._run_id, self._drivers = ctx, run_id, drivers
        self._applied: int | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="repair"):
            yield Static(_("repair run {id} — sick call: a new version, the run itself is not changed").format(id=self._run_id),
                         markup=False, id="repair-title")
            with Horizontal(id="repair-form"):
                yield SelectionList[str](*((d, d) for d in self._drivers), id="repair-drivers")
                with Vertical(id="repair-fields"):
                    yield Select([(_(k), k) for k in ABSENCE_KINDS], value="sick", allow_blank=False, id="repair-type")
                    yield Input(placeholder=_("reason (at least {n} characters)").format(n=10), id="repair-reason")
                    yield Static(_("ctrl+r preview · ctrl+y apply · ctrl+u undo · esc back"), classes="dialog-keys")
            with VerticalScroll(id="repair-result-box"):
                yield Static(_("pick the absent drivers (space), a type and a reason, then ctrl+r"), markup=False, id="repair-result")
        yield CockpitFooter()

    def _form(self) -> tuple[list[str], str, str] | None:
        absent = list(self.query_one("#repair-drivers", SelectionList).selected)
        kind = str(self.query_one("#repair-type", Select).value)
        reason = self.query_one("#repair-reason", Input).value
        if not absent:
            self._say(_("✖ pick at least one absent driver (space in the list)"))
            return None
        return absent, kind, reason

    def _say(self, text: str) -> None:
        self.query_one("#repair-result", Static).update(text)

    def action_preview(self) -> None:
        form = self._form()
        if form and not self._busy:
            self._busy = True
            self._say(_("repairing… (preview, nothing is stored)"))
            self._run(*form, apply=False)

    def action_apply(self) -> None:
        form = self._form()
        if form and not self._busy:
            self._busy = True
            self._say(_("repairing and storing a new version…"))
            self._run(*form, apply=True)

    @work(thread=True, exclusive=True, group="repair", exit_on_error=False)
    def _run(self, absent: list[str], kind: str, reason: str, *, apply: bool) -> None:
        try:
            preview, run, message = self._ctx.repair(self._run_id, absent, kind=kind, reason=reason, apply=apply)
            if run is not None:
                diff = self._ctx.diff_runs(self._run_id, run.id)
                self.post_message(RepairShown(preview, run.id, diff, message or ""))
            else:
                self.post_message(RepairShown(preview, None, None, _("preview: nothing stored")))

        except (UserError, StoreError) as exc:  # a refusal from the operations layer: shown in one line
            self.post_message(WorkFailed(said(exc)))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        message.stop()  # said here, not as the app's notice
        self._busy = False
        self._say("✖ " + (message.text.splitlines()[0] if message.text else _("refused")))

    @on(RepairShown)
    def _shown(self, message: RepairShown) -> None:
        self._busy = False
        self._applied = message.applied or self._applied
        self._say(render_preview(message.preview, message.diff, message.text))

    def action_undo(self) -> None:
        if self._applied is None or self._busy:
            self._say(_("nothing applied to undo"))
            return
        self._busy = True
        self._undo(self._applied)

    @work(thread=True, exclusive=True, group="repair", exit_on_error=False)
    def _undo(self, run_id: int) -> None:
        try:
            run = self._ctx.undo(run_id)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(said(exc)))
            return
        self.post_message(RepairUndone(run.id, run.state))

    @on(RepairUndone)
    def _undone(self, message: RepairUndone) -> None:
        self._busy = False
        self._applied = None
        self._say(_("run {id} discarded ({state})").format(id=message.run_id, state=message.state))


    def action_close(self) -> None:
        self.dismiss(self._applied)


def render_preview(p: RepairPreview, diff: PlanDiff | None, message: str) -> str:
    r = p.result
    lines = [
        message,
        _("verdict {verdict}").format(verdict=r.verdict) + (f": {'; '.join(r.reasons)}" if r.reasons else ""),
        _("uncovered before {before} · after {after} · churn {churn} % ({changes} changes) · affected drivers {affected} · "
          "new stand-ins {standins}").format(
            before=len(r.uncovered_before), after=len(r.uncovered_after), churn=f"{100 * r.churn:.1f}", changes=len(r.changes),
            affected=len(r.affected_drivers), standins=len(r.new_standins)),
        _("rules:") + " " + " · ".join(f"{'✓' if a.status == 'PASS' else '✗'} {a.name}" for a in r.audits),
        _("frozen {frozen} (❄ horizon {horizon} min) · pinned {pinned}").format(
            frozen=len(p.frozen), horizon=p.horizon_min, pinned=len(p.pinned))
        + (" · " + _("kept with the absent: {ids}").format(ids=", ".join(p.kept_with_absent[:6])) if p.kept_with_absent else ""),
        "",
    ]
    lines += [f"  {c.instance_id}: {c.from_driver or '-'} → {c.to_driver or '-'}" for c in r.changes[:40]]
    if len(r.changes) > 40:
        lines.append("  " + _("… and {n} more").format(n=len(r.changes) - 40))
    if diff is not None:
        lines += ["", _("diff: {moved} moved · drivers whose week changed {changed} · stand-ins +{added} −{removed}").format(
                      moved=len(diff.moved), changed=len(diff.drivers_changed), added=len(diff.standins_added),
                      removed=len(diff.standins_removed)),
                  _("KPI deltas:") + " " + (", ".join(f"{k} {v:+g}" for k, v in diff.kpi_deltas.items() if v) or _("none"))]

    return "\n".join(lines)

