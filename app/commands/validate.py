"""`solvereign validate FILE`: the import contract's verdict, nothing stored.

Exit codes: 0 PASS, 1 WARN, 2 FAIL (`--strict` turns WARN into FAIL).
"""

from __future__ import annotations

import argparse

from app.commands.common import add_forecast_options, print_json, read_forecast
from engine.contract import ValidationReport

EXIT_BY_STATUS = {"PASS": 0, "WARN": 1, "FAIL": 2}
SYMBOL = {"PASS": "✔ PASS", "WARN": "▲ WARN", "FAIL": "✖ FAIL"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a forecast file against the import contract")
    p.add_argument("file", metavar="FILE")
    add_forecast_options(p)
    p.add_argument("--strict", action="store_true", help="treat warnings as failures")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _, result = read_forecast(args.file, args)
    report = result.report
    status = "FAIL" if args.strict and report.status == "WARN" else report.status
    if args.json:
        doc = report.model_dump(mode="json")
        doc["status"] = status
        doc["strict"] = bool(args.strict)
        print_json(doc)
    else:
        print(render_report(report, args.file, status))
    return EXIT_BY_STATUS[status]


def render_report(report: ValidationReport, name: str, status: str) -> str:
    """The report for people: status, gate table, grouped findings, summary."""
    lines = [f"{name}: {SYMBOL[status]}" + (" (strict)" if status != report.status else "")]
    if report.error:
        lines.append(f"  reason: {report.error}")
    lines.append("")
    lines.append(f"  {'gate':<7} {'status':<7} {'count':>5}  check")
    for g in report.gates:
        lines.append(f"  {g.id:<7} {g.status:<7} {g.count:>5}  {g.message}")
    for g in report.gates:
        if not g.count or (report.error and g.id == "HG-004"):
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
