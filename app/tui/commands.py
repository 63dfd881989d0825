"""Command palette (ctrl+p): what can be done now, "go to run" and "go to driver".

The actions come from the registry (app/tui/actions.py). One that is hidden now (read-only, or
the demo once there are runs) is not offered; one that is dimmed is offered with the reason it
is not possible, and choosing it shows that reason, as its key does. Textual's palette says "No
matches found" itself.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider

from app.i18n import N_, _
from app.tui.actions import ACTIONS


class PaletteHost(Protocol):
    """What the palette needs of the app (no import of the app module: it imports this one)."""

    def run_ids(self) -> list[int]: ...

    def driver_ids(self) -> list[str]: ...

    def action_state(self, action: str) -> bool | None: ...

    def why_disabled(self, action: str) -> str | None: ...


# Textual's own palette entries (App.get_system_commands), translated by `translated_system_commands`
TEXTUAL_COMMANDS = (
    N_("Theme"), N_("Change the current theme"), N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"), N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"), N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"), N_("Search for commands…"),
)


def translated_system_commands(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's system commands in the cockpit's language (unknown titles stay as they are)."""
    for c in commands:
        yield c._replace(title=_(c.title), help=_(c.help))


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
            name = a.palette_text if why is None else _("{action} — not now").format(action=a.palette_text)
            targets.append((name, a.action, why or a.help_text))
        targets += [(_("Go to run {id}").format(id=rid), f"goto_run({rid})", _("open its review")) for rid in app.run_ids()]
        targets += [(_("Go to driver {id}").format(id=d), f"goto_driver('{d}')", _("that driver's week")) for d in app.driver_ids()]
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
