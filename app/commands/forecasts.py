"""`import FILE` (validate, then store) and `forecasts` (list)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app import tables
from app.tables import print_table
from app.commands.common import add_json, nothing_stored_exits_2, print_json, session_from_args
from app.commands.validate import EXIT_BY_STATUS
from app.ops.text import printable
from app.reports import fmt_when, render_report
from app.remote.select import remote_from_args

from engine.parsers import FORMATS

if TYPE_CHECKING:
    from engine.diff import ForecastDiff
from app.i18n import _, days as day_names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help=_("validate a forecast file and store it (exit 0 PASS, 1 WARN, 2 FAIL)"))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", default="auto", choices=("auto", *FORMATS))
    p.add_argument("--tenant", help=_("tenant code (default and only choice: yours)"))
    p.add_argument("--site", help=_("site code (default: the file's own, else your only site)"))
    p.add_argument("--anchor", help=_("week anchor date YYYY-MM-DD, a Monday (default: the file's own; must agree with it)"))
    add_json(p)
    p.set_defaults(func=nothing_stored_exits_2(run_import))
    f = sub.add_parser("forecasts", help=_("stored forecasts, newest first"))
    f.add_argument("--site")
    f.add_argument("--limit", type=int, default=50)
    f.add_argument("--diff", nargs=2, type=int, metavar=("A", "B"), help=_("tours added, removed, changed between two forecasts"))
    add_json(f)
    f.set_defaults(func=run_forecasts)


def run_import(args: argparse.Namespace) -> int:
    from app.ops.forecasts import import_forecast

    kw = dict(fmt=args.format, site=args.site, anchor=args.anchor, tenant=args.tenant)
    remote = remote_from_args(args)
    outcome = (remote.import_forecast(Path(args.file), **kw) if remote  # type: ignore[arg-type]
               else import_forecast(session_from_args(args), Path(args.file), **kw))  # type: ignore[arg-type]
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
            print(_("nothing stored: the forecast fails the import contract"))
        else:
            text = (_("stored as forecast {id} ({site}, week of {week}, {n} instances)") if outcome.created
                    else _("already stored as forecast {id} ({site}, week of {week}, {n} instances)"))
            print(text.format(id=fc.id, site=fc.site, week=fc.week_anchor, n=fc.instance_count))
    for warning in outcome.warnings:
        print(_("warning: {warning}").format(warning=warning), file=sys.stderr)
    return EXIT_BY_STATUS[report.status]


def run_forecasts(args: argparse.Namespace) -> int:
    from app.ops.diff import diff_forecast_versions, forecast_days
    from app.ops.forecasts import list_forecasts

    remote = remote_from_args(args)
    s = None if remote else session_from_args(args)
    if args.diff:
        a, b = args.diff
        return _diff(args, remote.diff_forecasts(a, b) if remote else diff_forecast_versions(s, a, b))  # type: ignore[arg-type]
    if remote is not None:
        rows = remote.list_forecasts(site=args.site, limit=args.limit)
        days = remote.forecast_days([f.id for f in rows])
    else:
        rows = list_forecasts(s, site=args.site, limit=args.limit)  # type: ignore[arg-type]
        days = {f.id: forecast_days(s, f.id) for f in rows}  # type: ignore[arg-type]
    if args.json:
        print_json({"forecasts": [f.model_dump(mode="json") | {"days": days[f.id]} for f in rows]})
        return 0
    columns = tables.FORECAST_COLUMNS
    print_table(columns.values(), (tuple(tables.forecast_fields(f, days[f.id], fmt_when)[c] for c in columns) for f in rows))
    return 0


def _diff(args: argparse.Namespace, d: ForecastDiff) -> int:
    a, b = args.diff
    if args.json:
        print_json(d)
        return 0
    print(_("forecast {previous} ({days_a}) → forecast {id} ({days_b}): {added} added, {removed} removed, {changed} changed").format(
        previous=a, days_a=day_names(d.days_a), id=b, days_b=day_names(d.days_b), added=len(d.added), removed=len(d.removed),
        changed=len(d.changed)))
    for label, ids in (("+", d.added), ("-", d.removed)):
        for iid in ids[:15]:
            print(f"  {label} {printable(iid)}")
        if len(ids) > 15:
            print(f"  {label} " + _("… and {n} more").format(n=len(ids) - 15))

    for c in d.changed[:15]:
        print(f"  ~ {printable(c.instance_id)}: {c.before} → {c.after}")
    return 0
