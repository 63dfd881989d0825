"""One driver's week: per day the block, its tours, span and rest against the limits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.table import RosterTable
from engine.driver_weeks import DriverWeek
from engine.models import DAY_NAMES


def _minutes(m: int) -> str:
    return f"{m // 60}:{m % 60:02d}"


class DriverWeekScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="driver.back")]

    def __init__(self, week: DriverWeek, run_id: int) -> None:
        super().__init__()
        self._week = week
        self._run_id = run_id

    def compose(self) -> ComposeResult:
        w = self._week
        with Vertical(id="driver-week"):
            yield Static(
                f"driver {w.driver_id} · run {self._run_id} · {w.hours:.1f} h · {w.contract} · {w.days_worked} working days",
                id="driver-week-title",
            )
            yield RosterTable(id="driver-week-table")
            yield Static("", markup=False, id="driver-week-notes")
        yield CockpitFooter()

    def on_mount(self) -> None:
        rows = []
        notes = []
        for day, b in sorted(self._week.blocks.items()):
            rest = "-" if b.rest_before is None else f"{_minutes(b.rest_before)} (≥{_minutes(b.rest_limit)})"
            rest_ok = b.rest_before is None or b.rest_before >= b.rest_limit
            span_ok = b.span <= b.span_limit
            rows.append((
                str(day),
                (
                    DAY_NAMES[day - 1], b.label, b.kind,
                    f"{'✓' if span_ok else '✗'} {_minutes(b.span)} (≤{_minutes(b.span_limit)})",
                    f"{'✓' if rest_ok else '✗'} {rest}", f"{b.work_minutes / 60:.1f} h", ", ".join(b.instances),
                ),
            ))
            notes.extend(f"{DAY_NAMES[day - 1]}: ✗ {msg}" for msg in b.breaches)
        self.query_one(RosterTable).set_data(("day", "block", "kind", "span", "rest before", "work", "tours"), rows)
        self.query_one("#driver-week-notes", Static).update("\n".join(notes) or "✓ every day within span and rest limits")
