"""`solvereign jobs`: the scheduled weekly solve (slot, fired or not, due forecasts, runs solved) and
the weekly notification per site (slot, fired or not, LOCKED plans due and told)."""

from __future__ import annotations

import argparse

from app.commands.common import add_json, print_json, session_from_args
from app.remote.select import remote_from_args
from app.reports import fmt_when
from app.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("jobs", help=_("scheduled jobs: the weekly solve's and the weekly notification's slots, what is due, what they did"))
    add_json(p)
    p.set_defaults(func=run_jobs)


def run_jobs(args: argparse.Namespace) -> int:
    from app.ops.jobs import jobs_view

    remote = remote_from_args(args)
    view = remote.jobs() if remote else jobs_view(session_from_args(args, read_only=True))
    if args.json:
        print_json(view)
        return 0
    state = _("fired") if view.fired else _("not yet")
    print(_("weekly solve ({tenant}): {slot}; this week {fmt_when} ({state})").format(tenant=view.tenant, slot=view.slot, fmt_when=fmt_when(view.this_week_at), state=state))
    print(_("coming week {coming_week}: {n_due} forecast(s) due, runs {value}").format(coming_week=view.coming_week, n_due=len(view.due), value=', '.join(map(str, view.solved)) or _('none')))
    for d in view.due:
        print(_("  due: forecast {forecast_id} ({site})").format(forecast_id=d.forecast_id, site=d.site))
    for n in view.notify:
        state = _("fired") if n.fired else _("not yet")
        print(_("weekly notification ({site}): {slot}; this week {fmt_when} ({state}); LOCKED plans due {due}, told {told}").format(
            site=n.site, slot=n.slot, fmt_when=fmt_when(n.this_week_at), state=state,
            due=", ".join(map(str, n.due)) or _("none"), told=", ".join(map(str, n.told)) or _("none")))
    return 0
