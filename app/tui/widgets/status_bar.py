"""The header line: tenant/site, user and role, store and mode, and banners that cannot be missed."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from app.ops.status import StatusView


class StatusBar(Static):
    """Two lines: identity and store; then banners (kill switch, shadow mode, second approver)."""

    def show_status(self, view: StatusView) -> None:
        mode = "read-only" if view.read_only else "read-write"
        who = f"{view.acting_as} ({view.role})"
        # the mode comes first so an 80-column terminal still shows it; the path may be cut at the end
        self.update(f" solvereign [{mode}] · {view.tenant} · {', '.join(view.sites)} · {who} · {view.store_path}")

    def show_message(self, text: str) -> None:
        self.update(f" solvereign · {text}")


class Banners(Static):
    """Empty (and hidden) when nothing needs attention."""

    def show_status(self, view: StatusView) -> None:
        lines = []
        if view.kill_switch.on:
            lines.append(f"⛔ KILL SWITCH ON — publish and lock are refused ({view.kill_switch.reason or 'no reason given'})")
        for site in view.site_gates:
            if not site.enabled:
                lines.append(f"▲ SITE {site.code} IN SHADOW MODE — solve and review only")
        if view.awaiting_second_approver:
            ids = ", ".join(str(r.id) for r in view.awaiting_second_approver)
            lines.append(f"▲ WAITING FOR A SECOND APPROVER — run {ids}")
        self.update("\n".join(lines))
        self.display = bool(lines)


SECTION_NAMES = (("runs", "Runs"), ("review", "Review"), ("drivers", "Drivers"), ("tours", "Tours"), ("history", "History"))


class SectionBar(Static):
    """The numbered sections, the current one marked (▸ and reverse video, not colour alone)."""

    def show_section(self, current: str, detail: str = "") -> None:
        parts = []
        for n, (key, name) in enumerate(SECTION_NAMES, start=1):
            parts.append(f"[reverse bold] ▸{n} {name} [/]" if key == current else f"  {n} {name} ")
        self.update("".join(parts) + (f"  {escape(detail)}" if detail else ""))
