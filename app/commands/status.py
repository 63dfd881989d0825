"""`status` and `demo`."""

from __future__ import annotations

import argparse

from app.reports import clock_override, fmt_when
from app.commands.solver_output import heartbeat_printer
from app.commands.common import add_json, clock_from_args, db_path_from_args, print_json, session_from_args
from app.remote.select import remote_from_args
from app.commands.runs import print_runs
from app.ops.status import status
from app.ops.text import printable
from app.settings import os_login
from app.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help=_("who you are, gates, store, latest runs, plans waiting for a second approver"))
    add_json(p)
    p.set_defaults(func=run_status)
    d = sub.add_parser("demo", help=_("create the store if needed, import and solve the demo week (the week after today)"))
    d.add_argument("--time-limit", type=float, default=None, help=_("solver budget in seconds"))
    add_json(d)
    d.set_defaults(func=run_demo_cmd)


def run_status(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    view = remote.status() if remote else status(session_from_args(args))
    if args.json:
        print_json(view)
        return 0
    print(_("user {user} ({role}) · tenant {tenant} · sites {sites}").format(
        user=view.acting_as, role=view.role, tenant=view.tenant, sites=", ".join(view.sites)))
    print(_("store {path}").format(path=view.store_path) + (" " + _("(read-only)") if view.read_only else ""))
    ks = view.kill_switch
    override = " " + clock_override(ks.real_at) if ks.real_at else ""
    if ks.on:
        print(_("kill switch ON since {when} by {who}: {reason}").format(
            when=fmt_when(ks.set_at), who=printable(ks.set_by), reason=printable(ks.reason)) + override)
    else:
        print(_("kill switch off"))
    for site in view.site_gates:
        print(_("site {site}: enabled for publish/lock").format(site=site.code) if site.enabled
              else _("site {site}: SHADOW MODE (solve and review only)").format(site=site.code))
    for line in view.stale_runs:
        print(_("stale solve, marked FAILED: {line}").format(line=line) if not view.read_only
              else _("STALE solve: {line}").format(line=line))
    if view.awaiting_second_approver:
        print(_("waiting for a second approver: {runs}").format(
            runs=", ".join(_("run {id}").format(id=r.id) for r in view.awaiting_second_approver)))
    print()
    print_runs(view.latest_runs)
    return 0


def run_demo_cmd(args: argparse.Namespace) -> int:
    from app.ops.demo import run_demo

    kwargs = {"time_limit": args.time_limit} if args.time_limit else {}
    path = db_path_from_args(args)
    s, outcome, run = run_demo(path, clock_from_args(args), os_login(), progress=heartbeat_printer(bool(args.json)), **kwargs)
    if args.json:
        print_json({"store": str(path), "forecast_id": outcome.forecast.id if outcome.forecast else None, "run_id": run.id,
                    "state": run.state, "kpis": run.kpis})
        return 0
    print(_("demo store {path}: tenant {tenant}, site {site}, you ({login}) are platform_admin").format(
        path=path, tenant=s.user.tenant, site=run.site, login=s.user.login))
    print(_("demo week of {week}: forecast {forecast}, run {id} is {state} ({drivers} drivers, {passed}/{total} audits)").format(
        week=run.week_anchor, forecast=run.forecast_id, id=run.id, state=run.state, drivers=run.kpis.get("drivers"),
        passed=run.audits_passed, total=run.audits_total))
    print(_("next: solvereign show-run {id} · solvereign publish {id} --reason … · or open the cockpit: solvereign").format(id=run.id))

    return 0
