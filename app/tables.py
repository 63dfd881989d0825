"""The tables people read, once: their columns and cell text for the CLI and the cockpit alike,
and the CLI's rendering of them with Rich.

A cell is text, or Rich `Text` with one style (a plan's state in bold, a FAILED one red); the
cockpit's RosterTable paints it as it is, and `print_table` hands it to a Rich table. Piped
output has no colour and one line per row (Rich sizes the columns to their content, not to a
guessed width); on a terminal the table fits its width, the free-text column folding.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from rich.text import Text

from app.i18n import N_, _, day
from app.ops.text import printable

if TYPE_CHECKING:
    from engine.driver_weeks import DriverWeek
    from storage.models import DriverRecord, ForecastRecord, RunSummary

Cell = str | Text | int | float
When = Callable[[object], str]  # an instant as people read it (app.reports.fmt_when)


@dataclass(frozen=True)
class Column:
    name: str  # a msgid (marked N_), also the key of its cells; shown translated
    right: bool = False  # numbers: right-aligned
    free: bool = False  # free text (a name, a reason, a path): the column that folds on a narrow terminal
    drop: int = 0  # on a terminal too narrow for the table, columns go highest first (0: always shown)


# --- runs -------------------------------------------------------------------------------

STATE_STYLE = {"LOCKED": "bold", "PUBLISHED": "bold", "FAILED": "bold red", "REJECTED": "dim", "SUPERSEDED": "dim"}
IN_FORCE = "●"
RANK = {"PUBLISHED": 0, "LOCKED": 1}  # a locked plan is in force over a published one
RUN_DROP = {"by": 7, "PT": 6, "gap": 5, "forecast": 4, "audits": 3, "tours": 2, "coverage": 1}  # what a narrow terminal does without first
RUN_COLUMNS = {  # every column a runs table may show; "changed" is the last change, "created" the creation
    name: Column(name, right=name in {"id", "forecast", "tours", "drivers", "PT", "coverage", "gap"}, drop=RUN_DROP.get(name, 0))
    for name in ("id", N_("week"), N_("site"), N_("state"), N_("in force"), "v", N_("forecast"), N_("tours"), N_("drivers"), N_("PT"),
                 N_("coverage"), N_("audits"), N_("gap"), N_("by"), N_("changed"), N_("created"))
}


def in_force(runs: Sequence[RunSummary]) -> set[int]:
    """The plan in force for each site and week: the LOCKED one, else the PUBLISHED one."""
    best: dict[tuple[str, object], RunSummary] = {}
    for r in runs:
        if r.state not in ("LOCKED", "PUBLISHED"):
            continue
        key = (r.site, r.week_anchor)
        held = best.get(key)
        if held is None or (RANK[r.state], r.version) > (RANK[held.state], held.version):
            best[key] = r
    return {r.id for r in best.values()}


def run_fields(r: RunSummary, when: When, current: bool = False) -> dict[str, Cell]:
    """Every cell a runs table may show of one run, by column name."""
    k = r.kpis
    return {
        "id": str(r.id), "week": str(r.week_anchor), "site": r.site,
        "state": Text(r.state, style=STATE_STYLE.get(r.state, "")), "in force": IN_FORCE if current else "",
        "v": f"v{r.version}", "forecast": str(r.forecast_id), "tours": str(r.instance_count or "-"),
        "drivers": str(k.get("drivers", "-")), "PT": str(k.get("pt_drivers", "-")),
        "coverage": f"{100 * r.assigned_count / r.instance_count:.0f}%" if r.instance_count else "-",
        "audits": f"{r.audits_passed}/{r.audits_total}" if r.audits_total else "-",
        "gap": f"{100 * k['gap']:.1f}%" if k.get("gap") is not None else "-",
        "by": printable(r.created_by), "changed": when(r.updated_at), "created": when(r.created_at),
    }


def run_rows(runs: Sequence[RunSummary], columns: Sequence[str], when: When) -> list[tuple[str, tuple[Cell, ...]]]:
    """(run id, cells) per run, the plan in force of each week marked."""
    current = in_force(runs)
    rows = []
    for r in runs:
        fields = run_fields(r, when, r.id in current)
        rows.append((str(r.id), tuple(fields[c] for c in columns)))
    return rows


# --- forecasts and drivers -------------------------------------------------------------

FORECAST_COLUMNS = {c.name: c for c in (
    Column("id", right=True), Column(N_("site")), Column(N_("week")), Column(N_("status")), Column(N_("tours"), right=True),
    Column(N_("days")), Column(N_("by")), Column(N_("created")), Column(N_("file"), free=True),
)}


def forecast_fields(f: ForecastRecord, days: Sequence[int], when: When) -> dict[str, Cell]:
    """The cells of one stored forecast, by column name (`days`: the days it has tours on)."""
    from app.reports import fmt_days

    return {
        "id": str(f.id), "site": f.site, "week": f.week_anchor.isoformat(), "status": f.status,
        "tours": str(f.instance_count), "days": fmt_days(days, " "), "by": printable(f.created_by),
        "created": when(f.created_at), "file": printable(f.source_name),
    }


DRIVER_COLUMNS = tuple(Column(name, right=name == "max h", free=name == "name") for name in (
    "id", N_("site"), N_("name"), N_("contract"), N_("max h"), N_("skills"), N_("depot"), N_("unavailable"), N_("channel")))


def driver_rows(drivers: Sequence[DriverRecord]) -> list[tuple[str, tuple[Cell, ...]]]:
    """One row per driver of the roster, keyed by site and id (the same id may exist at two sites)."""
    from app.reports import fmt_days

    return [
        (f"{d.site}/{d.external_id}", (
            d.external_id, d.site, printable(d.name), d.contract_type, f"{d.max_hours_week:g}", ", ".join(d.skills),
            d.depot, fmt_days(d.unavailable_days), d.preferred_channel or "-",
        ))
        for d in drivers
    ]


# --- the CLI's rendering ----------------------------------------------------------------


def print_table(columns: Iterable[Column], rows: Iterable[Sequence[Cell]], *, file: TextIO | None = None) -> None:
    """One table on stdout: a bold header, columns two spaces apart; colour only on a terminal."""
    out = file or sys.stdout
    columns, rows = list(columns), [tuple(r) for r in rows]
    if not out.isatty():
        out.write("".join(f"{line}\n" for line in table_lines(columns, rows)))
        return
    from rich.console import Console

    console = Console(file=out, highlight=False, markup=False, emoji=False)  # NO_COLOR is honoured
    width = console.width
    columns, rows, dropped = _narrowed(columns, rows, width)
    fixed, free = _widths(columns, rows)
    if fixed + sum(min(w, FREE_MIN) for w in free) > width:  # folding would leave a sliver: one line per row
        console = Console(file=out, highlight=False, markup=False, emoji=False, width=fixed + sum(free))
    console.print(_table(columns, rows, tty=True))
    if dropped:
        Console(file=out, highlight=False, markup=False, emoji=False).print(
            _("(not shown at {width} columns: {names}; a wider terminal or --json shows them)").format(
                width=width, names=", ".join(_(name) for name in dropped)))


def _narrowed(columns: list[Column], rows: list[tuple[Cell, ...]], width: int) -> tuple[list[Column], list[tuple[Cell, ...]], list[str]]:
    """Leave out droppable columns, highest `drop` first, until the table fits `width`."""
    keep = list(range(len(columns)))
    dropped: list[str] = []
    for i in sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: -columns[i].drop):
        fixed, free = _widths([columns[k] for k in keep], [tuple(r[k] for k in keep) for r in rows])
        if fixed + sum(min(w, FREE_MIN) for w in free) <= width:
            break
        keep.remove(i)
        dropped.append(columns[i].name)
    return [columns[k] for k in keep], [tuple(r[k] for k in keep) for r in rows], dropped


FREE_MIN = 20  # a free-text column narrower than this on a terminal is unreadable


def _widths(columns: list[Column], rows: list[tuple[Cell, ...]]) -> tuple[int, list[int]]:
    """(what the fixed columns and the gaps take, each free column's natural width)."""
    from rich.cells import cell_len

    natural = [max([cell_len(_(c.name)), *(cell_len(_plain(r[i])) for r in rows)]) for i, c in enumerate(columns)]
    fixed = sum(w for w, c in zip(natural, columns, strict=True) if not c.free) + 2 * (len(columns) - 1)
    return fixed, [w for w, c in zip(natural, columns, strict=True) if c.free]


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def table_lines(columns: Iterable[Column], rows: Iterable[Sequence[Cell]]) -> list[str]:
    """The table as plain lines, as wide as its rows need: one line per row, no colour, no trailing spaces."""
    from rich.console import Console

    console = Console(width=10_000, color_system=None, highlight=False, markup=False, emoji=False, force_terminal=False)
    with console.capture() as captured:
        console.print(_table(columns, rows, tty=False))
    return [line.rstrip() for line in captured.get().splitlines()]


def _table(columns: Iterable[Column], rows: Iterable[Sequence[Cell]], *, tty: bool):
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1), header_style="bold" if tty else "")
    for c in columns:
        table.add_column(_(c.name), justify="right" if c.right else "left", no_wrap=not (tty and c.free),
                         overflow="fold" if c.free else "ellipsis")
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text(str(cell)) for cell in row))
    return table


# --- a driver's week --------------------------------------------------------------------

FULL_FROM = 120  # columns from which a week's cells are written out (`06:00–15:30 ×2`), else compact (`6–15½ 2`)


def week_table(weeks: Sequence[DriverWeek], days: Sequence[int], *, full: bool) -> tuple[list[Column], list[tuple[str, tuple[Cell, ...]]]]:
    """The drivers matrix: driver, hours (with PT), one column per day worked in the run."""
    columns = [Column(N_("driver")), Column(N_("hours"), right=True), *(Column(day(d)) for d in days)]
    rows = []
    for w in weeks:
        cells = [(w.blocks[d].label if full else w.blocks[d].short_label) if d in w.blocks else "·" for d in days]
        rows.append((w.driver_id, (w.driver_id, hours_type(w), *cells)))
    return columns, rows


def hours_type(w: DriverWeek) -> str:
    """The contract type joins the hours ("38.5 PT"): one column fewer, the week fits."""
    return f"{w.hours:.1f}" if w.fte else f"{w.hours:.1f} " + _("PT")

