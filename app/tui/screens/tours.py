"""Section 4 — every tour instance with its driver; `/` filters by day, time or driver."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.ops.runs import RunView
from app.tui.widgets.table import RosterTable
from engine.clock import VIENNA
from engine.models import DAY_CODES, fmt_hhmm

COLUMNS = ("tour", "day", "start", "end", "hours", "split", "depot", "driver")


class ToursSection(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("Open a run first (1, then enter).", markup=False, id="tours-title")
        yield RosterTable(id="tours-table", fixed_columns=1)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    def show_run(self, view: RunView) -> None:
        assigned = view.detail.assignments
        frozen = set(view.freeze.frozen) if view.freeze else set()
        pins = set(view.pins)
        rows = [
            (
                i.id,
                (
                    i.id + ("❄" if i.id in frozen else "") + ("⚑" if i.id in pins else ""), DAY_CODES[i.day - 1], fmt_hhmm(i.local_start), fmt_hhmm(i.local_start + (i.end - i.start)),
                    f"{i.work_minutes / 60:.2f}", "S" if i.is_split else "", i.depot, assigned.get(i.id, "UNASSIGNED"),
                ),
            )
            for i in view.detail.instances
        ]
        self.table.set_data(COLUMNS, rows)
        self.query_one("#tours-title", Static).update(
            f"run {view.run.id}: {len(rows)} tours · / filters by any text (e.g. 'Fr 05:', 'D012')" + freeze_note(view)
        )


def freeze_note(view: RunView) -> str:
    """" · ❄ 12 frozen · next freeze Thu 08.01 18:00" (Vienna time), or nothing when nothing is near."""
    f = view.freeze
    if f is None or (not f.frozen and f.next_at is None):
        return ""
    nxt = f" · next freeze {f.next_at.astimezone(VIENNA):%a %d.%m %H:%M}" if f.next_at else " · everything frozen"
    return f" · ❄ {len(f.frozen)} frozen{nxt}"
