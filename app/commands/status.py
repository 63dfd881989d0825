"""`status` and `demo`."""

from __future__ import annotations

import argparse

from app.reports import fmt_when
from app.commands.solver_output import heartbeat_printer
from app.commands.common import add_json, clock_from_args, db_path_from_args, print_json, session_from_args
from app.remote.select import remote_from_args
from app.commands.runs import print_runs
from app.ops.status import status
from app.ops.text import printable
from app.settings import os_login


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="who you are, gates, store, latest runs, plans waiting for a second approver")
    add_json(p)
    p.set_defaults(func=run_status)
    d = sub.add_parser("demo", help="create the store if needed, import and solve the demo week (the week after today)")
    d.add_argument("--time-limit", type=float, default=None, help="solver budget in seconds")
    add_json(d)
    d.set_defaults(func=run_demo_cmd)


def run_status(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    view = remote.status() if remote else status(session_from_args(args))
    if args.json:
        print_json(view)
        return 0
    print(f"user {view.acting_as} ({view.role}) · tenant {view.tenant} · sites {', '.join(view.sites)}")
    print(f"store {view.store_path}" + (" (read-only)" if view.read_only else ""))
    ks = view.kill_switch
    override = f" [clock override: real time {fmt_when(ks.real_at)}]" if ks.real_at else ""
    print("kill switch " + (f"ON since {fmt_when(ks.set_at)} by {printable(ks.set_by)}: {printable(ks.reason)}{override}"
                            if ks.on else "off"))
    for site in view.site_gates:
        print(f"site {site.code}: " + ("enabled for publish/lock" if site.enabled else "SHADOW MODE (solve and review only)"))
    for line in view.stale_runs:
        print(f"stale solve, marked FAILED: {line}" if not view.read_only else f"STALE solve: {line}")
    if view.awaiting_second_approver:
        print("waiting for a second approver: " + ", ".join(f"run {r.id}" for r in view.awaiting_second_approver))
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
    print(f"demo store {path}: tenant {s.user.tenant}, site {run.site}, you ({s.user.login}) are platform_admin")
    print(f"demo week of {run.week_anchor}: forecast {run.forecast_id}, run {run.id} is {run.state} "
          f"({run.kpis.get('drivers')} drivers, {run.audits_passed}/{run.audits_total} audits)")
    print(f"next: solvereign show-run {run.id} · solvereign publish {run.id} --reason … · or open the cockpit: solvereign")
    return 0
