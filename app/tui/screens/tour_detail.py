"""One tour instance in detail (enter on a tour): when and where, its driver and the block it is
in, and the rules around it (rest before and after, the day's span, the week against its caps),
measured as the audits measure them (engine/tour_context.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from app.i18n import N_, _, day
from app.tui.widgets.footer import CockpitFooter
from engine.models import fmt_hhmm
from engine.tour_context import RuleLine, TourContext


def detail_lines(ctx: TourContext, run_id: int, *, frozen: bool, pinned: bool) -> list[str]:
    """The detail as lines of text (the screen shows them as they are)."""
    i = ctx.instance
    base = (i.day - 1) * 1440
    times = " + ".join(f"{fmt_hhmm(s - base)}–{fmt_hhmm(e - base)}" for s, e in i.segments)
    marks = [m for m, on in ((_("❄ frozen"), frozen), (_("⚑ pinned"), pinned)) if on]
    yes, no = _("yes"), _("no")
    lines = [
        _("tour {id} · run {run}").format(id=i.id, run=run_id) + (f" · {' · '.join(marks)}" if marks else ""),
        f"{day(i.day)} {times} · " + _("{hours} h · depot {depot} · skill {skill}").format(
            hours=f"{i.work_minutes / 60:.2f}", depot=i.depot, skill=i.skill),
        _("split: {split} · night (ends after midnight): {night}").format(split=yes if i.is_split else no, night=yes if ctx.night else no),
        "",
    ]
    if ctx.driver is None:
        return [*lines, _("driver: none — the tour is not covered in this run")]
    lines.append(_("driver {id}").format(id=ctx.driver))
    if ctx.block is not None:
        b = ctx.block
        lines.append(_("block {day} {label} ({kind}): {tours}").format(day=day(b.day), label=b.label, kind=b.kind, tours=", ".join(b.instances)))
    lines += ["", _("rules around it (the engine's rule table):"), *(f"  {rule_text(r)}" for r in ctx.rules)]

    lines += [f"  ✗ {msg}" for msg in ctx.breaches]
    return lines


class TourDetailScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"), id="tour.back")]


    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="tour-detail"):
            yield Static("\n".join(self._lines), markup=False, id="tour-detail-text")
        yield CockpitFooter()

    def on_mount(self) -> None:
        self.query_one("#tour-detail").focus()


# engine.tour_context's fixed words (the ones with figures in them stay as the engine writes them)
RULE_WORDS = (
    N_("span of the block"), N_("rest before the block"), N_("rest after the block"), N_("the driver's weekly hours"),
    N_("working days"), N_("first working day of the week"), N_("last working day of the week"),
)


def rule_text(r: RuleLine) -> str:
    """`RuleLine.text` in the current language: its fixed words translated, figures as measured."""
    return f"{'✓' if r.ok else '✗'} {r.rule} {_(r.what)}: {_(r.measured)} ({r.limit})"
