"""Command palette (ctrl+p): every action, and "go to run" / "go to driver"."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from app.tui.app import CockpitApp

ACTIONS = [
    ("Runs (1)", "section('runs')"),
    ("Review (2)", "section('review')"),
    ("Driver schedules (3)", "section('drivers')"),
    ("Tours (4)", "section('tours')"),
    ("History (5)", "section('history')"),
    ("Publish the open run (P)", "publish"),
    ("Lock the open run (L)", "lock"),
    ("Reject the open run (X)", "reject"),
    ("Solve a forecast (s)", "solve"),
    ("Import a forecast (i)", "import_forecast"),
    ("Refresh (r)", "refresh"),
    ("Export the current table to CSV (e)", "export"),
    ("Copy the selected row (y)", "copy_row"),
    ("Load the demo week (d)", "demo"),
    ("Driver roster of your sites (D)", "roster"),
    ("Repair the open run: sick call (R)", "repair"),
    ("Past drills and their verdicts (H)", "drills"),
    ("Help: every key (?)", "help"),
]


class CockpitCommands(Provider):
    def _targets(self) -> list[tuple[str, str]]:
        app: CockpitApp = self.app  # type: ignore[assignment]
        targets = [(name, action) for name, action in ACTIONS]
        targets += [(f"Go to run {rid}", f"goto_run({rid})") for rid in app.run_ids()]
        targets += [(f"Go to driver {d}", f"goto_driver('{d}')") for d in app.driver_ids()]
        return targets

    async def discover(self) -> Hits:
        for name, action in self._targets():
            yield DiscoveryHit(name, partial(self.app.run_action, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action in self._targets():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action))
