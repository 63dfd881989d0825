"""The validation report as text for people (the CLI and the cockpit's import screen)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from engine.clock import VIENNA, ZONE_NAME
from engine.models import DAY_CODES

if TYPE_CHECKING:  # the cockpit imports fmt_when at start; the contract module is loaded on first import
    from engine.contract import ValidationReport

SYMBOL = {"PASS": "✔ PASS", "WARN": "▲ WARN", "FAIL": "✖ FAIL"}


def fmt_when(moment: datetime | None) -> str:
    """Instants (stored in UTC) as people read them: Vienna local time, to the minute. The zone is
    said once per screen (the cockpit's header) or next to a lone time (`fmt_instant`); JSON keeps
    ISO-8601 with its offset."""
    return moment.astimezone(VIENNA).strftime("%Y-%m-%d %H:%M") if moment else "-"


def fmt_days(days: Sequence[int], sep: str = ",") -> str:
    """Days 1–7 as day codes, e.g. "Sa,So" (a driver's unavailable days) or "Mo Di Mi" (the days a
    forecast covers); "-" for none."""
    return sep.join(DAY_CODES[day - 1] for day in days) or "-"


def fmt_instant(moment: datetime) -> str:
    """A lone time in a sentence: local time with the zone named ("2026-01-05 05:00 Europe/Vienna")."""
    return f"{fmt_when(moment)} {ZONE_NAME}"


def render_report(report: ValidationReport, name: str, status: str) -> str:
    """The report for people: status, gate table, grouped findings, summary."""
    from app.ops.text import printable
    from app.tables import Column, table_lines

    if report.error:  # nothing could be read, so no gate was judged: one line, no gate table
        return f"{printable(name)}: {SYMBOL['FAIL']} — reason: {printable(report.error)}"
    lines = [f"{printable(name)}: {SYMBOL[status]}" + (" (strict)" if status != report.status else "")]
    lines.append("")
    columns = [Column("gate"), Column("status"), Column("count", right=True), Column("check", free=True)]
    lines += [f"  {line}" for line in table_lines(columns, ((g.id, g.status, str(g.count), g.message) for g in report.gates))]
    for g in report.gates:
        if not g.count:
            continue
        lines.append("")
        lines.append(f"  {g.id} {g.status}: {g.count} finding(s)" + (f", first {len(g.rows)}" if g.count > len(g.rows) else ""))
        for row in g.rows:
            lines.append(f"    {row.position}: [{row.code}] {row.message}")
    s = report.summary
    if report.input_hash:
        lines.append("")
        days = ", ".join(f"{d} {n}" for d, n in s.per_day.items())
        lines.append(f"  format {s.format}: {s.templates} templates, {s.instances} instances, {s.total_hours:g} h ({days})")
        for note in s.notes:
            lines.append(f"  note: {note}")
        lines.append(f"  input_hash {report.input_hash}")
    return "\n".join(lines)
