"""Command palette (ctrl+p): what can be done now, "go to run" and "go to driver".

The actions come from the registry (app/tui/actions.py). One that is hidden now (read-only, or
the demo once there are runs) is not offered; one that is dimmed is offered with the reason it
is not possible, and choosing it shows that reason, as its key does. Textual's palette says "No
matches found" itself.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider

from app.tui.actions import ACTIONS


class PaletteHost(Protocol):
    """What the palette needs of the app (no import of the app module: it imports this one)."""

    def run_ids(self) -> list[int]: ...

    def driver_ids(self) -> list[str]: ...

    def action_state(self, action: str) -> bool | None: ...

    def why_disabled(self, action: str) -> str | None: ...


class CockpitCommands(Provider):
    def _targets(self) -> list[tuple[str, str, str]]:
        """(name, action, help) of what the palette offers now."""
        app: PaletteHost = self.app  # type: ignore[assignment]
        targets = []
        for a in ACTIONS:
            if not a.palette:
                continue
            state = app.action_state(a.name)
            if state is False:  # hidden now: not offered
                continue
            why = app.why_disabled(a.name) if state is None else None
            targets.append((a.palette if why is None else f"{a.palette} — not now", a.action, why or a.help))
        targets += [(f"Go to run {rid}", f"goto_run({rid})", "open its review") for rid in app.run_ids()]
        targets += [(f"Go to driver {d}", f"goto_driver('{d}')", "that driver's week") for d in app.driver_ids()]
        return targets

    async def discover(self) -> Hits:
        for name, action, why in self._targets():
            yield DiscoveryHit(name, partial(self.app.run_action, action), help=why)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, why in self._targets():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action), help=why)
