"""`import FILE` (validate, then store) and `forecasts` (list)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands.common import add_json, print_json, session_from_args
from app.commands.validate import EXIT_BY_STATUS
from app.reports import fmt_when, render_report
from engine.parsers import FORMATS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="validate a forecast file and store it (exit 0 PASS, 1 WARN, 2 FAIL)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", default="auto", choices=("auto", *FORMATS))
    p.add_argument("--tenant", help="tenant code (default and only choice: yours)")
    p.add_argument("--site", help="site code (default: the file's own, else your only site)")
    p.add_argument("--anchor", help="week anchor date YYYY-MM-DD, a Monday (default: the file's own; must agree with it)")
    add_json(p)
    p.set_defaults(func=run_import)
    f = sub.add_parser("forecasts", help="stored forecasts, newest first")
    f.add_argument("--site")
    f.add_argument("--limit", type=int, default=50)
    add_json(f)
    f.set_defaults(func=run_forecasts)


def run_import(args: argparse.Namespace) -> int:
    from app.ops.forecasts import import_forecast

    s = session_from_args(args)
    outcome = import_forecast(s, Path(args.file), fmt=args.format, site=args.site, anchor=args.anchor, tenant=args.tenant)
    report = outcome.report
    fc = outcome.forecast
    if args.json:
        print_json({
            "forecast_id": fc.id if fc else None,
            "created": outcome.created,
            "status": report.status,
            "input_hash": report.input_hash,
            "summary": report.summary,
            "gates": report.gates,
            "error": report.error,
            "warnings": outcome.warnings,
        })
    else:
        print(render_report(report, args.file, report.status))
        print()
        if fc is None:
            print("nothing stored: the forecast fails the import contract")
        else:
            verb = "stored as" if outcome.created else "already stored as"
            print(f"{verb} forecast {fc.id} ({fc.site}, week of {fc.week_anchor}, {fc.instance_count} instances)")
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_BY_STATUS[report.status]


def run_forecasts(args: argparse.Namespace) -> int:
    from app.ops.forecasts import list_forecasts

    rows = list_forecasts(session_from_args(args), site=args.site, limit=args.limit)
    if args.json:
        print_json({"forecasts": rows})
        return 0
    print(f"{'id':>4}  {'site':<10} {'week':<10}  {'status':<6} {'inst':>5}  {'by':<12} {'created':<16}  file")
    for f in rows:
        print(f"{f.id:>4}  {f.site:<10} {f.week_anchor!s:<10}  {f.status:<6} {f.instance_count:>5}  {f.created_by:<12} {fmt_when(f.created_at):<16}  {f.source_name}")
    return 0
