"""Section 4 — every tour instance with its driver; `/` filters by day, time or driver."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.i18n import N_, _, day
from app.ops.runs import RunView
from app.tui.widgets.table import RosterTable
from engine.clock import VIENNA
from engine.models import fmt_hhmm

COLUMNS = (N_("tour"), N_("day"), N_("start"), N_("end"), N_("hours"), N_("split"), N_("depot"), N_("driver"))


class ToursSection(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(_("Open a run first (1, then enter)."), markup=False, id="tours-title")
        yield RosterTable(id="tours-table", fixed_columns=1)

    @property
    def table(self) -> RosterTable:
        return self.query_one(RosterTable)

    def show_run(self, view: RunView) -> None:
        assigned = view.detail.assignments
        frozen = set(view.freeze.frozen) if view.freeze else set()
        pins = set(view.pins)
        rows = [
            (
                i.id,
                (
                    i.id + ("❄" if i.id in frozen else "") + ("⚑" if i.id in pins else ""), day(i.day), fmt_hhmm(i.local_start),
                    fmt_hhmm(i.local_start + (i.end - i.start)),
                    f"{i.work_minutes / 60:.2f}", "S" if i.is_split else "", i.depot, assigned.get(i.id, "UNASSIGNED"),
                ),
            )
            for i in view.detail.instances
        ]
        self.table.set_data(COLUMNS, rows)
        self.query_one("#tours-title", Static).update(
            _("run {id}: {n} tours · / filters by any text (e.g. '{day} 05:', 'D012')").format(id=view.run.id, n=len(rows), day=day(5))
            + freeze_note(view)
        )


def freeze_note(view: RunView) -> str:
    """" · ❄ 12 frozen · next freeze Thu 08.01 18:00" (Vienna time), or nothing when nothing is near."""
    f = view.freeze
    if f is None or (not f.frozen and f.next_at is None):
        return ""
    if f.next_at:
        at = f.next_at.astimezone(VIENNA)
        nxt = " · " + _("next freeze {when}").format(when=f"{day(at.isoweekday())} {at:%d.%m %H:%M}")
    else:
        nxt = " · " + _("everything frozen")
    return " · " + _("❄ {n} frozen").format(n=len(f.frozen)) + nxt

