"""`N` — the open run's notification outbox: per driver and channel its state, attempts, last error
and when it was sent (what `solvereign notify status RUN` prints); `r` reads it again."""

from __future__ import annotations

from collections import Counter

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.ops.text import printable
from app.reports import fmt_when, outbox_line
from app.tui.messages import OutboxLoaded, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.table import RosterTable
from storage.errors import StoreError
from storage.outbox import OutboxMessage

COLUMNS = (N_("driver"), N_("channel"), N_("state"), N_("attempts"), N_("last error"), N_("sent at"))


def outbox_rows(messages: list[OutboxMessage]) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.key, (m.driver_id, m.channel, m.state, str(m.attempts), printable(m.last_error or "-"),
                     fmt_when(m.sent_at) if m.sent_at else "-")) for m in messages]


class OutboxScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="outbox.back"),
        Binding("r", "reload", N_("Refresh"), id="outbox.refresh"),
    ]
    DEFAULT_CSS = """
    #outbox { padding: 0 1; height: 1fr; }
    #outbox-title { text-style: bold; }
    #outbox-table { height: 1fr; }
    """

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id

    def compose(self) -> ComposeResult:
        with Vertical(id="outbox"):
            yield Static(_("outbox of run {id} · loading…").format(id=self.run_id), markup=False, id="outbox-title")
            yield RosterTable(id="outbox-table", fixed_columns=1)
        yield CockpitFooter()

    def on_mount(self) -> None:
        self.query_one(RosterTable).focus()
        self.action_reload()

    @work(thread=True, exclusive=True, group="outbox", exit_on_error=False)
    def action_reload(self) -> None:
        try:
            messages = self.app.ctx.outbox(self.run_id)  # type: ignore[attr-defined]
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(_("outbox: {reason}").format(reason=said(exc))))
            return
        self.post_message(OutboxLoaded(messages))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        message.stop()  # said in the title, not as the app's notice
        self.query_one("#outbox-title", Static).update(message.text)

    @on(OutboxLoaded)
    def _loaded(self, message: OutboxLoaded) -> None:
        messages: list[OutboxMessage] = message.messages
        self.query_one(RosterTable).set_data(COLUMNS, outbox_rows(messages))
        counts = dict(Counter(m.state for m in messages))
        self.query_one("#outbox-title", Static).update(
            _("outbox of run {id} · {line} · r: refresh").format(id=self.run_id, line=outbox_line(counts)))
