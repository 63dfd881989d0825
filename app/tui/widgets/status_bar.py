"""The header line: tenant/site, user and role, store and mode, and banners that cannot be missed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from app.i18n import _
from app.ops.status import StatusView
from app.reports import fmt_when
from app.tui.actions import SECTIONS
from app.tui.widgets.fit import Part, fit
from engine.clock import ZONE_NAME

if TYPE_CHECKING:
    from app.ops.jobs import JobsView  # it loads the time parser: not at start


class StatusBar(Static):
    """Identity, store and the time zone every time on screen is in; fitted to the width by
    priority (the mode and the user stay, the store path loses its start first)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._parts: list[Part] = []
        self._jobs: Part | None = None

    def show_status(self, view: StatusView, server: str | None = None) -> None:
        """`server`: remote mode's URL, shown before the store the server owns."""
        mode = _("read-only") if view.read_only else _("read-write")
        self._parts = [
            Part(f" solvereign [{mode}]", 0), Part(view.tenant, 5), Part(", ".join(view.sites), 4, "right"),
            Part(f"{view.acting_as} ({view.role})", 0), Part(ZONE_NAME, 0),
            *([Part(server, 1, "left")] if server else []),
            Part(view.store_path, 3 if server is None else 7, "left"),  # remote: a path on the server's host, given up first
        ]
        self.refit()

    def show_jobs(self, jobs: JobsView) -> None:
        """Remote mode: the server's weekly solve, after the time zone."""
        due = _("{n} due").format(n=len(jobs.due)) if jobs.fired else _("next {when}").format(when=fmt_when(jobs.this_week_at))
        slot = jobs.slot.removesuffix(" " + ZONE_NAME)  # the zone is said once, in this line
        self._jobs = Part("⏱ " + _("weekly {slot}: {due}").format(slot=slot, due=due), 2)
        self.refit()

    def show_message(self, text: str) -> None:
        self._parts = [Part(" solvereign", 0), Part(text, 1, "left")]
        self.refit()

    def refit(self, width: int | None = None) -> None:
        parts = self._parts if self._jobs is None or len(self._parts) < 5 else [*self._parts[:5], self._jobs, *self._parts[5:]]
        self.update(fit(parts, width or self.app.size.width or 80))


class Banners(Static):
    """Empty (and hidden) when nothing needs attention."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lines: list[str] = []
        self._down: str | None = None  # remote mode: why the server did not answer

    def show_unreachable(self, why: str | None) -> None:
        """The server is down (`why`), or answers again (None): on top of the banners last read."""
        self._down = why
        self._show()

    def show_status(self, view: StatusView) -> None:
        self._down = None
        lines = []
        if view.kill_switch.on:
            reason = view.kill_switch.reason or _("no reason given")
            lines.append(_("⛔ KILL SWITCH ON — publish and lock are refused ({reason})").format(reason=reason))
        for site in view.site_gates:
            if not site.enabled:
                lines.append(_("▲ SITE {site} IN SHADOW MODE — solve and review only").format(site=site.code))
        if view.awaiting_second_approver:
            ids = ", ".join(str(r.id) for r in view.awaiting_second_approver)
            lines.append(_("▲ WAITING FOR A SECOND APPROVER — run {ids}").format(ids=ids))
        self._lines = lines
        self._show()

    def _show(self) -> None:
        down = [_("⚠ SERVER UNREACHABLE — {why} · retrying; what is shown may be out of date").format(why=self._down)] if self._down else []
        lines = down + self._lines
        self.update("\n".join(lines))
        self.display = bool(lines)


class SectionBar(Static):
    """The numbered sections, the current one marked (▸ and reverse video, not colour alone), and
    the open run. When the width runs out, the other sections shrink to their numbers and the
    run's site and id go before its week and state."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._current = "runs"
        self._detail: list[Part] = []

    def show_section(self, current: str, detail: list[Part] | None = None) -> None:
        self._current = current
        self._detail = detail or []
        self.refit()

    def refit(self, width: int | None = None) -> None:
        width = width or self.app.size.width or 80
        for compact in (False, True):
            tabs = Text(no_wrap=True, overflow="ellipsis", end="")
            for n, (key, name) in enumerate(SECTIONS, start=1):
                if key == self._current:
                    tabs.append(f" ▸{n} {_(name)} ", style="reverse bold")
                else:
                    tabs.append(f" {n} " if compact else f"  {n} {_(name)} ")
            room = width - tabs.cell_len - 2
            whole = " · ".join(p.text for p in self._detail)
            detail = whole if cell_len(whole) <= room else fit(self._detail, room)
            if detail == whole:
                break
        if detail:
            tabs.append("  " + detail)
        self.update(tabs)
