"""`solvereign jobs`: the scheduled weekly solve (slot, fired or not, due forecasts, runs solved)."""

from __future__ import annotations

import argparse

from app.commands.common import add_json, print_json, session_from_args
from app.remote.select import remote_from_args
from app.reports import fmt_when
from app.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("jobs", help=_("scheduled jobs: the weekly solve's slot, what is due, what it solved"))
    add_json(p)
    p.set_defaults(func=run_jobs)


def run_jobs(args: argparse.Namespace) -> int:
    from app.ops.jobs import jobs_view

    remote = remote_from_args(args)
    view = remote.jobs() if remote else jobs_view(session_from_args(args, read_only=True))
    if args.json:
        print_json(view)
        return 0
    state = "fired" if view.fired else "not yet"
    print(f"weekly solve ({view.tenant}): {view.slot}; this week {fmt_when(view.this_week_at)} ({state})")
    print(f"coming week {view.coming_week}: {len(view.due)} forecast(s) due, runs {', '.join(map(str, view.solved)) or 'none'}")
    for d in view.due:
        print(f"  due: forecast {d.forecast_id} ({d.site})")
    return 0
