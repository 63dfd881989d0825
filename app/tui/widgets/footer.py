"""The footer, re-composed only when what it shows changes.

Textual's Footer re-composes (unmounts and mounts every key) on each bindings update, and
a focus change sends several: switching a section cost six re-compositions, a fifth of the
time of each key press. This one compares the keys it would show (key, action, label,
enabled) and skips the work when nothing changed.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


def _shown(screen: Screen) -> tuple:
    return tuple(
        (key, active.binding.action, active.binding.description, active.enabled, active.tooltip)
        for key, active in screen.active_bindings.items()
        if active.binding.show or key == screen.app.COMMAND_PALETTE_BINDING
    )


class CockpitFooter(Footer):
    _last_shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = _shown(screen)
            if self._bindings_ready and shown == self._last_shown:
                return
            self._last_shown = shown
        super().bindings_changed(screen)
