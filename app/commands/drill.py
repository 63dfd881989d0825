"""`solvereign drill sick-call|freeze-window|partial-forecast|break-glass`: exit 0 PASS, 1 WARN, 2 FAIL.

Every drill runs on a temporary copy of the store (the live store is never changed, so `--dry-run`
is what always happens) and writes its evidence JSON under artifacts/drills/<type>/ next to the store.
`drill list` shows past drills with their verdicts.
"""

from __future__ import annotations

import argparse

from app.tables import Column, print_table
from app.commands.common import add_json, print_json, session_from_args
from app.ops.text import printable
from app.remote.select import remote_from_args
from app.i18n import N_, _


def register(sub: argparse._SubParsersAction) -> None:
    from app.ops.drills import DRILLS

    p = sub.add_parser("drill", help=_("incident drills on a copy of the store (exit 0 PASS, 1 WARN, 2 FAIL); 'drill list'"))
    p.add_argument("drill", choices=(*DRILLS, "list"), metavar="TYPE", help=" | ".join((*DRILLS, "list")))
    p.add_argument("--run", type=int, metavar="RUN", help=_("the plan to drill on (default: the newest LOCKED, PUBLISHED or AUDITED)"))
    p.add_argument("--absent-drivers", metavar="D1,D2", help=_("sick-call: absent drivers (default: the three with the most work)"))
    p.add_argument("--freeze-horizon", type=int, default=720, metavar="MIN", help=_("freeze-window, break-glass: the expected horizon"))
    p.add_argument("--seed", type=int, default=94, help=_("accepted for runbook compatibility; the plan's own seed is used"))
    p.add_argument("--tenant", help=_("accepted for runbook compatibility; your own tenant is used"))
    p.add_argument("--dry-run", action="store_true", help=_("always so: drills run on a copy of the store"))
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S")
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.ops.drills import past_drills, run_drill

    remote = remote_from_args(args)
    s = None if remote else session_from_args(args)
    if args.drill == "list":
        reports = remote.past_drills() if remote else past_drills(s.store.path)  # type: ignore[union-attr]
        if args.json:
            print_json({"drills": reports})
        else:
            columns = [Column(N_("ran")), Column(N_("drill")), Column(N_("verdict")), Column(N_("plan"), right=True), Column(N_("by")),
                       Column(N_("evidence"), free=True)]
            print_table(columns, ((r.ran_at[:16], r.drill, r.verdict, str(r.plan_id), printable(r.ran_by), printable(r.evidence))
                                  for r in reports))
        return 0
    absent = [a.strip() for a in args.absent_drivers.split(",") if a.strip()] if args.absent_drivers else None
    kw = dict(run_id=args.run, absent=absent, horizon_min=args.freeze_horizon, time_limit=args.time_limit)
    report = remote.drill(args.drill, **kw) if remote else run_drill(s, args.drill, **kw)  # type: ignore[arg-type]
    if args.json:
        print_json(report)
    else:
        print(_("drill {drill} on plan {plan_id} ({site}, week {week}): {verdict}").format(drill=report.drill, plan_id=report.plan_id, site=report.site, week=report.week, verdict=report.verdict))
        for c in report.checks:
            mark = "✓" if c.ok else ("!" if c.severity == "WARN" else "✗")
            print(_("  {mark} {name:<36} expected {printable}, got {printable2}").format(mark=mark, name=c.name, printable=printable(str(c.expected)), printable2=printable(str(c.actual))))
        if report.figures:
            print(_("  figures: ") + ", ".join(f"{k} {v}" for k, v in report.figures.items() if not isinstance(v, list)))
        print(_("  {value:.1f} s · evidence {printable}").format(value=report.timings.get('total_s', 0), printable=printable(report.evidence)))
    return report.exit_code
