"""The reason dialog for publish, lock and reject.

It states what will happen (from state → to state, the conditions checked),
takes a reason, and only confirms once the reason has the minimum length. The
action itself runs in a thread worker; a refusal from the operations layer is
shown in one line and the dialog stays open, so the dispatcher can cancel.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.ops.policy import MIN_REASON, reason_check
from app.tui.messages import ActionDone, WorkFailed
from storage.errors import StoreError



class ReasonDialog(ModalScreen[str | None]):
    """Returns the success message, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel")]

    def __init__(
        self,
        title: str,
        transition: str,
        conditions: list[str],
        submit: Callable[[str], str],
        effects: list[str] | None = None,
    ) -> None:
        """`conditions`: the gates the operation checks (met now, or the key would be dimmed),
        `reason_given` among them, ticked as the reason is typed; `effects`: what else it does."""
        super().__init__()
        self._title = title
        self._transition = transition
        self._conditions = conditions
        self._effects = effects or []
        self._submit = submit
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-dialog", classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            yield Static(self._transition, markup=False, id="reason-transition")
            yield Static("", markup=False, id="reason-conditions")
            yield Input(placeholder=_("reason (at least {n} characters)").format(n=MIN_REASON), id="reason-input")
            yield Static("", markup=False, id="reason-hint")
            yield Static(_("enter confirm · esc cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self._update_hint("")

    @on(Input.Changed, "#reason-input")
    def _changed(self, event: Input.Changed) -> None:
        self._update_hint(event.value)

    def _update_hint(self, value: str) -> None:
        check = reason_check(value)
        ticks = [f"{'✓' if c != 'reason_given' or check.ok else '✗'} {c}" for c in self._conditions]
        lines = [_("checked:") + " " + "  ".join(ticks), *(f"▲ {e}" for e in self._effects)]
        self.query_one("#reason-conditions", Static).update("\n".join(lines))
        missing = MIN_REASON - len(value.strip())
        hint = self.query_one("#reason-hint", Static)
        hint.remove_class("error")
        if missing > 0:
            hint.update(_("{n} more character(s) needed").format(n=missing))
        else:
            hint.update(_("ready: enter confirms") if check.ok else f"✗ {check.unmet}")

    @on(Input.Submitted, "#reason-input")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason_check(reason).ok or self._busy:
            return
        self._busy = True
        self.query_one("#reason-hint", Static).update(_("working…"))
        self._run(reason)

    @work(thread=True, exclusive=True, group="reason", exit_on_error=False)
    def _run(self, reason: str) -> None:
        try:
            done = self._submit(reason)
        except (UserError, StoreError) as exc:  # a refusal from the operations layer: shown, not raised
            self.post_message(WorkFailed(said(exc)))
            return
        self.post_message(ActionDone(done))

    @on(ActionDone)
    def _done(self, message: ActionDone) -> None:
        message.stop()
        self.dismiss(message.text)

    @on(WorkFailed)
    def _refused(self, message: WorkFailed) -> None:
        message.stop()  # said in the dialog, which stays open
        self._busy = False
        hint = self.query_one("#reason-hint", Static)
        hint.add_class("error")
        hint.update("✖ " + (message.text.splitlines()[0] if message.text else _("refused")))


    def action_cancel(self) -> None:
        self.dismiss(None)
