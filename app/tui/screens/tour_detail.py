"""One tour instance in detail (enter on a tour): when and where, its driver and the block it is
in, and the rules around it (rest before and after, the day's span, the week against its caps),
measured as the audits measure them (engine/tour_context.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from app.tui.widgets.footer import CockpitFooter
from engine.models import DAY_CODES, fmt_hhmm
from engine.tour_context import TourContext


def detail_lines(ctx: TourContext, run_id: int, *, frozen: bool, pinned: bool) -> list[str]:
    """The detail as lines of text (the screen shows them as they are)."""
    i = ctx.instance
    base = (i.day - 1) * 1440
    times = " + ".join(f"{fmt_hhmm(s - base)}–{fmt_hhmm(e - base)}" for s, e in i.segments)
    marks = [m for m, on in (("❄ frozen", frozen), ("⚑ pinned", pinned)) if on]
    lines = [
        f"tour {i.id} · run {run_id}" + (f" · {' · '.join(marks)}" if marks else ""),
        f"{DAY_CODES[i.day - 1]} {times} · {i.work_minutes / 60:.2f} h · depot {i.depot} · skill {i.skill}",
        f"split: {'yes' if i.is_split else 'no'} · night (ends after midnight): {'yes' if ctx.night else 'no'}",
        "",
    ]
    if ctx.driver is None:
        return [*lines, "driver: none — the tour is not covered in this run"]
    lines.append(f"driver {ctx.driver}")
    if ctx.block is not None:
        b = ctx.block
        lines.append(f"block {DAY_CODES[b.day - 1]} {b.label} ({b.kind}): {', '.join(b.instances)}")
    lines += ["", "rules around it (the engine's rule table):", *(f"  {r.text}" for r in ctx.rules)]
    lines += [f"  ✗ {msg}" for msg in ctx.breaches]
    return lines


class TourDetailScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="tour.back")]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="tour-detail"):
            yield Static("\n".join(self._lines), markup=False, id="tour-detail-text")
        yield CockpitFooter()

    def on_mount(self) -> None:
        self.query_one("#tour-detail").focus()
