"""The repair flow on the open run: pick the absent drivers, the type and a reason; preview (verdict,
uncovered before/after, churn, changes, frozen kept); apply as a new version; undo it; the diff.

Everything slow (the engine, the store) runs in thread workers that post back; the form stays usable.
Same effect as `solvereign repair|undo|diff`.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Select, SelectionList, Static

from app.ops.repair import ABSENCE_KINDS, RepairPreview
from app.errors import UserError
from app.ops.session import Session
from app.tui.messages import RepairShown, RepairUndone, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from engine.diff import PlanDiff
from storage.errors import StoreError


class RepairScreen(Screen[int | None]):
    """Dismisses with the id of the applied (and not undone) version, or None."""

    BINDINGS = [
        Binding("ctrl+r", "preview", "Preview", id="repair.preview", priority=True),
        Binding("ctrl+y", "apply", "Apply", id="repair.apply", priority=True),
        Binding("ctrl+u", "undo", "Undo", id="repair.undo", priority=True),
        Binding("escape", "close", "Back", id="repair.back"),
    ]

    def __init__(self, session: Session, run_id: int, drivers: list[str]) -> None:
        super().__init__()
        self._s, self._run_id, self._drivers = session, run_id, drivers
        self._applied: int | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="repair"):
            yield Static(f"repair run {self._run_id} — sick call: a new version, the run itself is not changed",
                         markup=False, id="repair-title")
            with Horizontal(id="repair-form"):
                yield SelectionList[str](*((d, d) for d in self._drivers), id="repair-drivers")
                with Vertical(id="repair-fields"):
                    yield Select([(k, k) for k in ABSENCE_KINDS], value="sick", allow_blank=False, id="repair-type")
                    yield Input(placeholder="reason (at least 10 characters)", id="repair-reason")
                    yield Static("ctrl+r preview · ctrl+y apply · ctrl+u undo · esc back", classes="dialog-keys")
            with VerticalScroll(id="repair-result-box"):
                yield Static("pick the absent drivers (space), a type and a reason, then ctrl+r", markup=False, id="repair-result")
        yield CockpitFooter()

    def _form(self) -> tuple[list[str], str, str] | None:
        absent = list(self.query_one("#repair-drivers", SelectionList).selected)
        kind = str(self.query_one("#repair-type", Select).value)
        reason = self.query_one("#repair-reason", Input).value
        if not absent:
            self._say("✖ pick at least one absent driver (space in the list)")
            return None
        return absent, kind, reason

    def _say(self, text: str) -> None:
        self.query_one("#repair-result", Static).update(text)

    def action_preview(self) -> None:
        form = self._form()
        if form and not self._busy:
            self._busy = True
            self._say("repairing… (preview, nothing is stored)")
            self._run(*form, apply=False)

    def action_apply(self) -> None:
        form = self._form()
        if form and not self._busy:
            self._busy = True
            self._say("repairing and storing a new version…")
            self._run(*form, apply=True)

    @work(thread=True, exclusive=True, group="repair", exit_on_error=False)
    def _run(self, absent: list[str], kind: str, reason: str, *, apply: bool) -> None:
        from app.ops import repair as ops
        from app.ops.diff import diff_runs

        try:
            if apply:
                outcome = ops.apply_repair(self._s, self._run_id, absent, reason=reason, kind=kind)
                diff = diff_runs(self._s, self._run_id, outcome.run.id)
                self.post_message(RepairShown(outcome.preview, outcome.run.id, diff, outcome.message))
            else:
                preview = ops.preview_repair(self._s, self._run_id, absent, reason=reason, kind=kind)
                self.post_message(RepairShown(preview, None, None, "preview: nothing stored"))
        except (UserError, StoreError) as exc:  # a refusal from the operations layer: shown in one line
            self.post_message(WorkFailed(exc.message))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        message.stop()  # said here, not as the app's notice
        self._busy = False
        self._say(f"✖ {message.text.splitlines()[0] if message.text else 'refused'}")

    @on(RepairShown)
    def _shown(self, message: RepairShown) -> None:
        self._busy = False
        self._applied = message.applied or self._applied
        self._say(render_preview(message.preview, message.diff, message.text))

    def action_undo(self) -> None:
        if self._applied is None or self._busy:
            self._say("nothing applied to undo")
            return
        self._busy = True
        self._undo(self._applied)

    @work(thread=True, exclusive=True, group="repair", exit_on_error=False)
    def _undo(self, run_id: int) -> None:
        from app.ops.repair import undo

        try:
            run = undo(self._s, run_id)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(exc.message))
            return
        self.post_message(RepairUndone(run.id, run.state))

    @on(RepairUndone)
    def _undone(self, message: RepairUndone) -> None:
        self._busy = False
        self._applied = None
        self._say(f"run {message.run_id} discarded ({message.state})")

    def action_close(self) -> None:
        self.dismiss(self._applied)


def render_preview(p: RepairPreview, diff: PlanDiff | None, message: str) -> str:
    r = p.result
    lines = [
        message,
        f"verdict {r.verdict}" + (f": {'; '.join(r.reasons)}" if r.reasons else ""),
        f"uncovered before {len(r.uncovered_before)} · after {len(r.uncovered_after)} · churn {100 * r.churn:.1f} % "
        f"({len(r.changes)} changes) · affected drivers {len(r.affected_drivers)} · new stand-ins {len(r.new_standins)}",
        "rules: " + " · ".join(f"{'✓' if a.status == 'PASS' else '✗'} {a.name}" for a in r.audits),
        f"frozen {len(p.frozen)} (❄ horizon {p.horizon_min} min) · pinned {len(p.pinned)}"
        + (f" · kept with the absent: {', '.join(p.kept_with_absent[:6])}" if p.kept_with_absent else ""),
        "",
    ]
    lines += [f"  {c.instance_id}: {c.from_driver or '-'} → {c.to_driver or '-'}" for c in r.changes[:40]]
    if len(r.changes) > 40:
        lines.append(f"  … and {len(r.changes) - 40} more")
    if diff is not None:
        lines += ["", f"diff: {len(diff.moved)} moved · drivers whose week changed {len(diff.drivers_changed)} · "
                      f"stand-ins +{len(diff.standins_added)} −{len(diff.standins_removed)}",
                  "KPI deltas: " + (", ".join(f"{k} {v:+g}" for k, v in diff.kpi_deltas.items() if v) or "none")]
    return "\n".join(lines)

