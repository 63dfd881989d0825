"""`solvereign validate FILE`: the import contract's verdict, nothing stored.

Exit codes: 0 PASS, 1 WARN, 2 FAIL (`--strict` turns WARN into FAIL); any error exits 2 too.
"""

from __future__ import annotations

import argparse

from app.commands.common import add_forecast_options, nothing_stored_exits_2, print_json, read_forecast
from app.reports import render_report

EXIT_BY_STATUS = {"PASS": 0, "WARN": 1, "FAIL": 2}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a forecast file against the import contract")
    p.add_argument("file", metavar="FILE")
    add_forecast_options(p)
    p.add_argument("--strict", action="store_true", help="treat warnings as failures")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=nothing_stored_exits_2(run))


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
