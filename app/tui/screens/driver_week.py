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
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="driver.back"),
        Binding("n", "step(1)", "Next driver", id="driver.next"),
        Binding("p", "step(-1)", "Previous driver", id="driver.previous"),
    ]

    def __init__(self, weeks: list[DriverWeek], index: int, run_id: int) -> None:
        """`weeks`: every driver's week of the run, in the order of the drivers list; `index`:
        the one shown first (n / p step through the others)."""
        super().__init__()
        self._weeks = weeks
        self._index = index
        self._run_id = run_id

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
        self._show()

    def action_step(self, by: int) -> None:
        self._index = (self._index + by) % len(self._weeks)
        self._show()

    def _show(self) -> None:
        w = self._week
        self.query_one("#driver-week-title", Static).update(
            f"driver {w.driver_id} · run {self._run_id} · {w.hours:.1f} h · {w.contract} · {w.days_worked} working days"
            f" · {self._index + 1} of {len(self._weeks)} (n / p: next / previous driver)"
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
                    DAY_NAMES[day - 1], b.label, b.kind,
                    f"{'✓' if span_ok else '✗'} {_minutes(b.span)} (≤{_minutes(b.span_limit)})",
                    f"{'✓' if rest_ok else '✗'} {rest}", f"{b.work_minutes / 60:.1f} h", ", ".join(b.instances),
                ),
            ))
            notes.extend(f"{DAY_NAMES[day - 1]}: ✗ {msg}" for msg in b.breaches)
        self.query_one(RosterTable).set_data(("day", "block", "kind", "span", "rest before", "work", "tours"), rows)
        self.query_one("#driver-week-notes", Static).update("\n".join(notes) or "✓ every day within span and rest limits")
