"""The footer: the screen's keys in one line of text.

Textual's Footer is a widget per key and re-composes (unmounts and mounts every key) on each
bindings update; opening a run cost a re-composition and an extra layout pass, ~50 ms of the
0.3 s budget. This one is a single widget that repaints one line, and only when the keys it
shows (key, label, enabled) change. Disabled actions stay visible, dimmed and struck through
(told apart without colour).
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget

from app.i18n import N_, _

Shown = tuple[tuple[str, str, bool, bool], ...]  # (key as displayed, label, enabled, the app's own key: help, quit)
TEXTUAL_LABELS = (N_("palette"),)  # Textual's own binding descriptions the footer shows


class CockpitFooter(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"cockpit-footer--key", "cockpit-footer--label"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: Shown = ()
        self._palette: tuple[str, str, bool] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        keys, palette = self._shown(screen)
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def _shown(self, screen: Screen) -> tuple[Shown, tuple[str, str, bool] | None]:
        """The keys to show, their descriptions (msgids) translated."""
        app = screen.app
        seen: set[str] = set()
        keys = []
        palette = None
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (app.get_key_display(binding), _(binding.description), active.enabled)
            elif binding.show and binding.action not in seen:  # one entry per action (e.g. q and ctrl+c)
                seen.add(binding.action)
                keys.append((app.get_key_display(binding), _(binding.description), active.enabled, active.node is app))
        return tuple(keys), palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("cockpit-footer--key", partial=True)
        label_style = self.get_component_rich_style("cockpit-footer--label", partial=True)
        # dimmed and struck through: a disabled key stays readable as disabled without colour (NO_COLOR)
        dim = Style(dim=True, strike=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        width = self.size.width or 80
        # the app's own keys (help, quit) always keep their place; the screen's fill what is left
        reserved = sum(cell_len(f" {shown} {label} ") for shown, label, _enabled, own in self._keys if own)
        full = False  # the screen's keys stop at the first that does not fit: whole keys only, in order
        for shown, label, enabled, own in self._keys:
            if (full and not own) or line.cell_len + cell_len(f" {shown} {label}") + (0 if own else reserved) > width:
                if own:
                    break  # a key cut in half ("q Be") reads as another key (German labels are longer)
                full = True
                continue
            if own:
                reserved -= cell_len(f" {shown} {label} ")
            extra = Style() if enabled else dim
            line.append(f" {shown}", key_style + extra)
            line.append(f" {label} ", label_style + extra)

        if self._palette:
            shown, label, enabled = self._palette
            tail = Text.assemble((f" {shown}", key_style), (f" {label} ", label_style))
            gap = self.size.width - line.cell_len - tail.cell_len
            if gap > 0:
                line.append(" " * gap)
                line.append_text(tail)
        return line
