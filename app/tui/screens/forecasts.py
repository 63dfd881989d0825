"""`F` — the stored forecasts: status, warnings, days covered, tours per day, and the difference to
the previous forecast of the same site and week (a partial week later completed, a correction).

`enter` on a forecast shows what changed against its previous version, tour by tour."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from app.errors import UserError, said
from app.i18n import N_, _, day_of_code
from app.ops.forecast_view import ForecastLine
from app.reports import fmt_days, fmt_when
from app.tables import forecast_fields
from app.tui.messages import ForecastLinesLoaded, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.table import RosterTable
from storage.errors import StoreError

COLUMNS = ("id", N_("site"), N_("week"), N_("status"), N_("tours"), N_("days"), N_("tours per day"), N_("warnings"), N_("vs previous"))
EMPTY = N_("No forecasts stored yet: press esc, then i to import one.")
SHOWN = 12  # tours listed per kind of change in the detail


def change_counts(line: ForecastLine) -> str:
    """`vs 3: +4 −1 ~2` (added, removed, changed tours), or `-` for a first version."""
    if line.previous is None:
        return "-"
    if line.diff is None:
        return _("vs {id}: content purged").format(id=line.previous)
    d = line.diff
    return _("vs {id}: +{added} −{removed} ~{changed}").format(id=line.previous, added=len(d.added), removed=len(d.removed),
                                                                changed=len(d.changed))


def forecast_rows(lines: list[ForecastLine]) -> list[tuple[str, tuple[str, ...]]]:
    """Its first columns are the cells `solvereign forecasts` prints (app/tables.py)."""
    return [
        (str(x.forecast.id), (
            *(fields[c] for c in ("id", "site", "week", "status", "tours", "days")),
            " ".join(f"{day_of_code(code)} {n}" for code, n in x.per_day.items()) or "-", ", ".join(x.warnings) or "-", change_counts(x),

        ))
        for x in lines
        for fields in (forecast_fields(x.forecast, x.days, fmt_when),)
    ]


def diff_text(line: ForecastLine) -> str:
    """What changed against the previous version, for people."""
    f = line.forecast
    if line.previous is None:
        return _("forecast {id} is the first of {site}, week of {week}: nothing to compare").format(
            id=f.id, site=f.site, week=f.week_anchor)
    if line.diff is None:
        return _("forecast {id} vs {previous}: the older content was purged, no diff").format(id=f.id, previous=line.previous)
    d = line.diff

    def some(ids: list[str]) -> str:
        more = " " + _("… and {n} more").format(n=len(ids) - SHOWN) if len(ids) > SHOWN else ""
        return ", ".join(ids[:SHOWN]) + more

    out = [_("forecast {previous} ({days_a}) → forecast {id} ({days_b}): {added} added, {removed} removed, {changed} changed").format(
        previous=line.previous, days_a=fmt_days(d.days_a, " "), id=f.id, days_b=fmt_days(d.days_b, " "), added=len(d.added),
        removed=len(d.removed), changed=len(d.changed))]

    if d.added:
        out.append("  " + _("added: {ids}").format(ids=some(d.added)))
    if d.removed:
        out.append("  " + _("removed: {ids}").format(ids=some(d.removed)))
    out.extend("  " + _("changed: {id} {before} → {after}").format(id=c.instance_id, before=c.before, after=c.after)
               for c in d.changed[:SHOWN])
    return "\n".join(out)


class ForecastsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="forecasts.back"),
        Binding("r", "reload", N_("Refresh"), id="forecasts.refresh"),
    ]
    DEFAULT_CSS = """
    #forecasts { padding: 0 1; height: 1fr; }
    #forecasts-title { text-style: bold; }
    #forecasts-table { height: 1fr; }
    #forecasts-diff { height: auto; max-height: 12; border-top: solid $primary; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._lines: dict[str, ForecastLine] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="forecasts"):
            yield Static(_("forecasts · loading…"), markup=False, id="forecasts-title")
            yield RosterTable(id="forecasts-table", fixed_columns=1)
            yield Static(_("enter on a forecast: what changed against its previous version"), markup=False, id="forecasts-diff")
        yield CockpitFooter()

    def on_mount(self) -> None:
        self.query_one(RosterTable).focus()
        self.action_reload()

    @work(thread=True, exclusive=True, group="forecasts", exit_on_error=False)
    def action_reload(self) -> None:
        try:
            lines = self.app.ctx.forecast_lines()  # type: ignore[attr-defined]
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(_("forecasts: {reason}").format(reason=said(exc))))

            return
        self.post_message(ForecastLinesLoaded(lines))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        message.stop()  # said in the title, not as the app's notice
        self._title(message.text)

    @on(ForecastLinesLoaded)
    def _loaded(self, message: ForecastLinesLoaded) -> None:
        self._show(message.lines)

    def _title(self, text: str) -> None:
        self.query_one("#forecasts-title", Static).update(text)

    def _show(self, lines: list[ForecastLine]) -> None:
        self._lines = {str(x.forecast.id): x for x in lines}
        self.query_one(RosterTable).set_data(COLUMNS, forecast_rows(lines))
        self._title(_("forecasts · {n} stored, newest first · enter: the diff to the previous version").format(n=len(lines))
                    if lines else _(EMPTY))


    @on(RosterTable.RowSelected, "#forecasts-table")
    def _selected(self, event: RosterTable.RowSelected) -> None:
        line = self._lines.get(event.key or "")
        if line is not None:
            self.query_one("#forecasts-diff", Static).update(diff_text(line))
