"""One driver's week: per day the block, its tours, span and rest against the limits.

`n` / `N` step to the next / previous driver. Frozen tours carry ❄ and pinned ones ⚑; `p` pins (or unpins) the highlighted day's tours and `m`
moves that block to another driver (MoveDialog, with the live rule check), each a use case of
app.ops.edit (pins through the cockpit's backend, so in remote mode too). Read-only, the keys say why they do nothing.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from app.errors import UserError, said
from app.i18n import N_, _, day_long
from app.tui.backend import CockpitBackend
from app.tui.messages import PinsChanged
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.table import RosterTable
from engine.driver_weeks import DriverWeek
from storage.errors import StoreError


CONTRACTS = (N_("FTE"), N_("PT"))  # DriverWeek.contract, shown translated


def _minutes(m: int) -> str:


    return f"{m // 60}:{m % 60:02d}"


class OpenTour(Message):
    """enter on a day of the week: the detail of that day's first tour (the app has the run)."""

    def __init__(self, tour_id: str) -> None:
        super().__init__()
        self.tour_id = tour_id


class DriverWeekScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="driver.back"),
        Binding("n", "step(1)", N_("Next driver"), id="driver.next"),
        Binding("N", "step(-1)", N_("Previous driver"), id="driver.previous"),
        Binding("p", "pin", N_("Pin day"), id="driver.pin"),
        Binding("m", "move", N_("Move block"), id="driver.move"),
    ]

    def __init__(
        self, weeks: list[DriverWeek], index: int, run_id: int, *,
        ctx: CockpitBackend | None = None, frozen: frozenset[str] = frozenset(), pinned: frozenset[str] = frozenset(),
    ) -> None:
        """`weeks`: every driver's week of the run, in the order of the drivers list; `index`:
        the one shown first (n / N step through the others); `ctx`: pins and moves (None: read-only)."""
        super().__init__()
        self._weeks = weeks
        self._index = index
        self._run_id = run_id
        self._ctx = ctx
        self._frozen = frozen
        self._pinned = set(pinned)

    @property
    def _week(self) -> DriverWeek:
        return self._weeks[self._index]

    def compose(self) -> ComposeResult:
        with Vertical(id="driver-week"):
            yield Static("", markup=False, id="driver-week-title")
            yield RosterTable(id="driver-week-table")
            yield Static("", markup=False, id="driver-week-notes")
        yield CockpitFooter()

    def on_mount(self) -> None:
        self._fill()

    @on(RosterTable.RowSelected)
    def _day_selected(self, event: RosterTable.RowSelected) -> None:
        event.stop()
        if event.key:
            self.post_message(OpenTour(self._week.blocks[int(event.key)].instances[0]))

    def action_step(self, by: int) -> None:
        self._index = (self._index + by) % len(self._weeks)
        self._fill()

    def _mark(self, iid: str) -> str:
        return iid + ("❄" if iid in self._frozen else "") + ("⚑" if iid in self._pinned else "")

    def _fill(self) -> None:
        w = self._week
        self.query_one("#driver-week-title", Static).update(
            _("driver {id} · run {run} · {hours} h · {contract} · {days} working days · {n} of {total} (n / N: next / previous driver)")
            .format(id=w.driver_id, run=self._run_id, hours=f"{w.hours:.1f}", contract=_(w.contract), days=w.days_worked,
                    n=self._index + 1, total=len(self._weeks))
        )
        rows = []
        notes = []
        for day, b in sorted(self._week.blocks.items()):
            rest = "-" if b.rest_before is None else f"{_minutes(b.rest_before)} (≥{_minutes(b.rest_limit)})"
            rest_ok = b.rest_before is None or b.rest_before >= b.rest_limit
            span_ok = b.span <= b.span_limit
            rows.append((
                str(day),
                (
                    day_long(day), b.label, b.kind,
                    f"{'✓' if span_ok else '✗'} {_minutes(b.span)} (≤{_minutes(b.span_limit)})",
                    f"{'✓' if rest_ok else '✗'} {rest}", f"{b.work_minutes / 60:.1f} h", ", ".join(map(self._mark, b.instances)),
                ),
            ))
            notes.extend(f"{day_long(day)}: ✗ {msg}" for msg in b.breaches)
        columns = (N_("day"), N_("block"), N_("kind"), N_("span"), N_("rest before"), N_("work"), N_("tours"))
        self.query_one(RosterTable).set_data(columns, rows)
        self.query_one("#driver-week-notes", Static).update("\n".join(notes) or _("✓ every day within span and rest limits"))

    def _day(self) -> int | None:
        key = self.query_one(RosterTable).selected_key
        return int(key) if key else None

    def action_pin(self) -> None:
        day = self._day()
        if self._ctx is None or day is None:
            self.notify(_("pinning needs a writable store and a day"), severity="warning")
            return
        ids = self._week.blocks[day].instances
        self._toggle_pins(list(ids), pinned=not all(i in self._pinned for i in ids))

    @work(thread=True, exclusive=True, group="pin", exit_on_error=False)
    def _toggle_pins(self, ids: list[str], *, pinned: bool) -> None:
        assert self._ctx is not None
        try:
            for iid in ids:
                self._ctx.pin(self._run_id, iid, pinned=pinned)
        except (UserError, StoreError) as exc:
            self.notify(said(exc), severity="error")  # notify is thread-safe
            return
        self.post_message(PinsChanged(ids, pinned))

    @on(PinsChanged)
    def _pins_changed(self, message: PinsChanged) -> None:
        ids, pinned = message.ids, message.pinned
        self._pinned = (self._pinned | set(ids)) if pinned else (self._pinned - set(ids))
        self._fill()
        text = _("{n} tour(s) pinned: re-solves and repairs keep them") if pinned else \
            _("{n} tour(s) unpinned: re-solves and repairs keep them")
        self.notify(text.format(n=len(ids)))

    def action_move(self) -> None:
        from app.tui.dialogs.move import MoveDialog

        day = self._day()
        if self._ctx is None or day is None:
            self.notify(_("editing needs a writable store and a day"), severity="warning")
            return

        def done(message: str | None) -> None:
            if message:
                self.notify(message)

        self.app.push_screen(MoveDialog(self._ctx, self._run_id, self._week.driver_id, day), done)
