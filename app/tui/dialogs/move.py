"""Move a driver's block of one day to another driver (a swap when that driver works the day too),
with the rule check shown live as the target is typed: which rule would break, for whom.

Confirming stores a new version (kind edit) through the cockpit's backend (app.ops.edit here, the
server in remote mode); a refusal stays in the dialog.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.ops.versions import Base
from app.tui.backend import CockpitBackend
from app.tui.messages import ActionDone, PlanLoaded, WorkFailed
from storage.errors import StoreError

MIN_REASON = 10


class MoveDialog(ModalScreen[str | None]):
    """Returns the success message, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="move.cancel")]

    def __init__(self, backend: CockpitBackend, run_id: int, driver: str, day: int) -> None:
        super().__init__()
        self._backend, self._run_id, self._driver, self._day = backend, run_id, driver, day
        self._base: Base | None = None
        self._ok = False

    def compose(self) -> ComposeResult:
        with Vertical(id="move-dialog", classes="dialog"):
            yield Label(_("move {driver}'s block of day {day} — run {id} (a new version)").format(
                driver=self._driver, day=self._day, id=self._run_id), classes="dialog-title")
            yield Input(placeholder=_("to driver (a swap if they work that day)"), id="move-driver")
            yield Input(placeholder=_("reason (at least {n} characters)").format(n=MIN_REASON), id="move-reason")
            yield Static(_("loading the plan…"), markup=False, id="move-check")
            yield Static(_("enter confirm · esc cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="move", exit_on_error=False)
    def _load(self) -> None:
        try:
            base = self._backend.edit_base(self._run_id)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(f"✖ {said(exc)}"))
            return
        self.post_message(PlanLoaded(base))

    @on(PlanLoaded)
    def _loaded(self, message: PlanLoaded) -> None:
        self._base = message.base
        self._check(self.query_one("#move-driver", Input).value)

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        message.stop()  # said in the dialog, not as the app's notice
        self._show(message.text, False)

    @on(ActionDone)
    def _saved(self, message: ActionDone) -> None:
        message.stop()
        self.dismiss(message.text)

    def _show(self, text: str, ok: bool) -> None:
        self._ok = ok
        check = self.query_one("#move-check", Static)
        check.set_class(not ok, "error")
        check.update(text)

    @on(Input.Changed, "#move-driver")
    def _driver_changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    def _check(self, target: str) -> None:
        """The live rule check: pure engine work on the loaded plan, no store access."""
        from app.ops.edit import check_edit, swap_changes

        if self._base is None:
            return
        if not target.strip():
            self._show(_("type the driver to give the block to"), False)
            return
        try:
            check, _changes = check_edit(self._base, swap_changes(self._base, self._driver, target.strip(), self._day))
        except UserError as exc:
            self._show(f"✖ {said(exc)}", False)
            return
        if check.frozen:
            self._show(_("❄ frozen: {tours} (needs the on-call override: solvereign edit --override-freeze)").format(
                tours=", ".join(check.frozen[:4])), False)
        elif check.pinned:
            self._show(_("⚑ pinned: {tours} (unpin first)").format(tours=", ".join(check.pinned[:4])), False)
        elif check.breaks:
            self._show(_("✗ would break {rule}").format(rule=check.first_break), False)
        else:
            self._show(_("✓ rules hold: {n} tour(s) change driver").format(n=len(check.changes)), True)



    @on(Input.Submitted)
    def _submitted(self) -> None:
        target = self.query_one("#move-driver", Input).value.strip()
        reason = self.query_one("#move-reason", Input).value.strip()
        if not self._ok:
            return
        if len(reason) < MIN_REASON:
            self.query_one("#move-reason", Input).focus()
            return
        self._ok = False
        self._save(target, reason)

    @work(thread=True, exclusive=True, group="move", exit_on_error=False)
    def _save(self, target: str, reason: str) -> None:
        try:
            message = self._backend.swap(self._run_id, self._driver, target, self._day, reason)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(f"✖ {said(exc)}"))
            return
        self.post_message(ActionDone(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
