"""The validation report as text for people (the CLI and the cockpit's import screen)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from app.i18n import N_, _, day, day_of_code
from engine.clock import VIENNA, ZONE_NAME

if TYPE_CHECKING:  # the cockpit imports fmt_when at start; the contract module is loaded on first import
    from engine.contract import ValidationReport
    from engine.solver.progress import Heartbeat


SYMBOL = {"PASS": "✔ PASS", "WARN": "▲ WARN", "FAIL": "✖ FAIL"}
# engine.contract.GATES' checks as msgids: the engine stays free of translation, the report translates
# at display (tests/unit/test_i18n.py keeps this list equal to the engine's texts)
GATE_TITLES = (
    N_("tenant_code present and matches ^[a-z][a-z0-9_]{2,30}$"),
    N_("site_code present and matches ^[a-z][a-z0-9_]{2,30}$"),
    N_("week_anchor_date present, a real date, a Monday"),
    N_("at least one tour"),
    N_("every tour has a unique external_id"),
    N_("every day is an integer 1–7 and every count an integer ≥ 1"),
    N_("every start_time is a valid time"),
    N_("every end_time is a valid time"),
    N_("count missing (defaulted to 1)"),
    N_("depot missing (defaulted)"),
    N_("skill missing (defaulted)"),
    N_("duration over 16 h, or a zero-length tour"),
    N_("coordinates outside Austria or only one of lat/lng"),
    N_("text lines: a count above 10 on one line (a likely typo)"),
)


def gate_title(message: str) -> str:
    """A gate's check in the current language."""
    return _(message)


_POSITION = re.compile(r"line (\d+)(?:, column (\d+))?")


def position_text(position: str) -> str:
    """Where a finding is, as the parsers write it ("line 4", "line 4, column 3"), in the current
    language; other positions (a JSON path, "file") as they are."""
    m = _POSITION.fullmatch(position)
    if m is None:
        return position
    line, column = m.groups()
    return _("line {n}").format(n=line) if column is None else _("line {n}, column {col}").format(n=line, col=column)


def fmt_when(moment: datetime | None) -> str:

    """Instants (stored in UTC) as people read them: Vienna local time, to the minute. The zone is
    said once per screen (the cockpit's header) or next to a lone time (`fmt_instant`); JSON keeps
    ISO-8601 with its offset."""
    return moment.astimezone(VIENNA).strftime("%Y-%m-%d %H:%M") if moment else "-"


def fmt_days(days: Sequence[int], sep: str = ",") -> str:
    """Days 1–7 as short day names in the current language, e.g. "Sat,Sun" / "Sa,So" (a driver's
    unavailable days) or "Mon Tue Wed" (the days a forecast covers); "-" for none."""
    return sep.join(day(n) for n in days) or "-"


def fmt_instant(moment: datetime) -> str:
    """A lone time in a sentence: local time with the zone named ("2026-01-05 05:00 Europe/Vienna")."""
    return f"{fmt_when(moment)} {ZONE_NAME}"


def render_report(report: ValidationReport, name: str, status: str) -> str:
    """The report for people: status, gate table, grouped findings, summary."""
    from app.ops.text import printable
    from app.tables import Column, table_lines

    if report.error:  # nothing could be read, so no gate was judged: one line, no gate table
        return _("{name}: {verdict} — reason: {reason}").format(name=printable(name), verdict=SYMBOL["FAIL"], reason=printable(report.error))
    lines = [f"{printable(name)}: {SYMBOL[status]}" + (" " + _("(strict)") if status != report.status else "")]
    lines.append("")
    columns = [Column(N_("gate")), Column(N_("status")), Column(N_("count"), right=True), Column(N_("check"), free=True)]
    lines += [f"  {line}" for line in table_lines(columns, ((g.id, g.status, str(g.count), gate_title(g.message)) for g in report.gates))]

    for g in report.gates:
        if not g.count:
            continue
        lines.append("")
        first = ", " + _("first {n}").format(n=len(g.rows)) if g.count > len(g.rows) else ""
        lines.append(f"  {g.id} {g.status}: " + _("{n} finding(s)").format(n=g.count) + first)
        for row in g.rows:
            lines.append(f"    {position_text(row.position)}: [{row.code}] {row.message}")
    s = report.summary
    if report.input_hash:
        lines.append("")
        days = ", ".join(f"{day_of_code(d)} {n}" for d, n in s.per_day.items())
        lines.append("  " + _("format {format}: {templates} templates, {instances} instances, {hours} h ({days})").format(
            format=s.format, templates=s.templates, instances=s.instances, hours=f"{s.total_hours:g}", days=days))
        for note in s.notes:
            lines.append("  " + _("note: {note}").format(note=note))

        lines.append(f"  input_hash {report.input_hash}")
    return "\n".join(lines)


def clock_override(real_at: datetime) -> str:
    """Said beside a record written under a clock override: the real time it was written."""
    return _("[clock override: real time {when}]").format(when=fmt_when(real_at))



def heartbeat_line(hb: Heartbeat) -> str:
    """A solver heartbeat for people, in the current language: the CLI's
    stderr line and the cockpit's solve screen."""
    best = (_("best {drivers} drivers, {pt} PT").format(drivers=hb.drivers, pt=hb.pt) if hb.drivers is not None
            else _("no plan yet"))
    open_weeks = ", " + _("{n} open").format(n=hb.standins) if hb.standins else ""
    return f"{hb.phase} · {best}{open_weeks} · " + _("bound {bound}").format(bound=hb.bound) + f" · {hb.elapsed:.1f} s"


def outbox_line(counts: dict[str, int]) -> str:
    """A run's driver notifications in one line (show-run, the review): queued, sent, failed, no contact."""
    if not counts:
        return _("notifications: none yet (solvereign notify RUN, once the plan is LOCKED)")
    return _("notifications: {queued} queued · {sent} sent · {failed} failed · {none} without contact data").format(
        queued=counts.get("PENDING", 0), sent=counts.get("SENT", 0), failed=counts.get("FAILED", 0),
        none=counts.get("NO_CONTACT", 0))
