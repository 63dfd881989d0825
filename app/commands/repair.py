"""Thursday to Sunday from the command line: repair, undo, edit, pin/unpin, diff, freeze.

Exit codes: 0 ok, 1 failed or invalid (not found, a repair that finds no legal plan), 2 blocked
by a gate (role, freeze without an override, a rule the edit would break).
"""

from __future__ import annotations

import argparse
from datetime import datetime

from app.commands.common import add_json, add_reason, print_json, session_from_args
from app.errors import EXIT_FAILED, UserError
from app.ops.text import printable
from engine.clock import VIENNA, parse_now
from engine.models import DAY_CODES
from app.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("repair", help=_("sick call: a new version of RUN without the absent drivers (any state, LOCKED too)"))
    p.add_argument("run_id", type=int, metavar="RUN")
    p.add_argument("--absent", required=True, metavar="D1,D2", help=_("absent driver ids, comma-separated"))
    p.add_argument("--type", default="sick", choices=("sick", "vacation", "no_show"))
    p.add_argument("--from", dest="start", metavar="ISO", help=_("absence starts (Vienna local time; default: the whole week)"))
    p.add_argument("--to", dest="end", metavar="ISO", help=_("absence ends"))
    add_reason(p)
    p.add_argument("--override-freeze", action="store_true", help=_("emergency: let frozen tours of the absent drivers move (on_call, platform_admin)"))
    p.add_argument("--preview", action="store_true", help=_("show what the repair would do; store nothing"))
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S")
    add_json(p)
    p.set_defaults(func=run_repair)

    p = sub.add_parser("undo", help=_("discard a repair or edit version that is not yet published"))
    p.add_argument("run_id", type=int, metavar="RUN")
    p.add_argument("--reason", default="", help=_("why (default: undo of the version)"))
    add_json(p)
    p.set_defaults(func=run_undo)

    p = sub.add_parser("edit", help=_("hand edit: --move INSTANCE --to DRIVER, or --swap A,B --day N (a new version)"))
    p.add_argument("run_id", type=int, metavar="RUN")
    p.add_argument("--move", metavar="INSTANCE")
    p.add_argument("--to", metavar="DRIVER")
    p.add_argument("--swap", metavar="A,B", help=_("swap two drivers' blocks on --day"))
    p.add_argument("--day", type=int, default=0, help=_("1=Mon … 7=Sun (with --swap)"))
    add_reason(p)
    p.add_argument("--override-freeze", action="store_true", help=_("emergency: change a frozen instance (on_call, platform_admin)"))
    p.add_argument("--preview", action="store_true", help=_("only check the rules; store nothing"))
    add_json(p)
    p.set_defaults(func=run_edit)

    for name, pinned in (("pin", True), ("unpin", False)):
        p = sub.add_parser(name, help=f"{name} an instance's assignment in RUN (re-solves and repairs keep pinned ones)")
        p.add_argument("run_id", type=int, metavar="RUN")
        p.add_argument("instance", metavar="INSTANCE")
        p.add_argument("--reason", default="")
        add_json(p)
        p.set_defaults(func=run_pin, pinned=pinned)

    p = sub.add_parser("diff", help=_("what changed between two plan versions of one site and week"))
    p.add_argument("run_a", type=int, metavar="A")
    p.add_argument("run_b", type=int, metavar="B")
    add_json(p)
    p.set_defaults(func=run_diff)

    p = sub.add_parser("freeze", help=_("frozen instances of RUN and the next freeze time; --set-horizon MIN (platform_admin)"))
    p.add_argument("run_id", type=int, nargs="?", metavar="RUN")
    p.add_argument("--site")
    p.add_argument("--set-horizon", type=int, metavar="MIN", help=_("the site's freeze horizon in minutes (default 720)"))
    p.add_argument("--reason", default="")
    add_json(p)
    p.set_defaults(func=run_freeze)


def _instant(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_now(text).now()
    except ValueError:
        raise UserError(f"{name} {text[:40]!r} is not an ISO date-time (e.g. 2026-01-08T06:00)", EXIT_FAILED) from None


def run_repair(args: argparse.Namespace) -> int:
    from app.ops import repair as ops

    s = session_from_args(args)
    kw = dict(reason=args.reason, kind=args.type, start=_instant(args.start, "--from"), end=_instant(args.end, "--to"),
              override_freeze=args.override_freeze, time_limit=args.time_limit)
    absent = args.absent.split(",")
    if args.preview:
        preview = ops.preview_repair(s, args.run_id, absent, **kw)  # type: ignore[arg-type]
        run = None
    else:
        outcome = ops.apply_repair(s, args.run_id, absent, **kw)  # type: ignore[arg-type]
        preview, run = outcome.preview, outcome.run
    r = preview.result
    if args.json:
        doc = preview.model_dump(mode="json", exclude={"result": {"assignments"}})
        doc["run"] = run.model_dump(mode="json") if run else None
        print_json(doc)
    else:
        print(f"repair of plan {args.run_id} ({preview.parent.state}), absent {', '.join(map(printable, preview.absent))} ({preview.kind})"
              + (" — preview, nothing stored" if run is None else ""))
        print(f"  verdict {r.verdict}" + (f": {'; '.join(r.reasons)}" if r.reasons else ""))
        print(f"  uncovered before {len(r.uncovered_before)}, after {len(r.uncovered_after)}; churn {100 * r.churn:.1f} % "
              f"({len(r.changes)} change(s)); affected drivers {len(r.affected_drivers)}; new stand-ins {len(r.new_standins)}")
        print(f"  audits {sum(a.status == 'PASS' for a in r.audits)}/{len(r.audits)}; frozen {len(preview.frozen)} "
              f"(horizon {preview.horizon_min} min), pinned {len(preview.pinned)}; {r.seconds:.2f} s")
        if preview.kept_with_absent:
            print(f"  kept with the absent drivers (frozen or pinned): {', '.join(preview.kept_with_absent[:8])}"
                  + ("" if args.override_freeze else " — --override-freeze (on_call) lets frozen ones move"))
        for c in r.changes[:20]:
            print(f"    {c.instance_id}: {printable(c.from_driver or '-')} → {printable(c.to_driver or '-')}")
        if len(r.changes) > 20:
            print(f"    … and {len(r.changes) - 20} more")
        if run is not None:
            print(outcome.message)
            print(f"next: solvereign diff {args.run_id} {run.id} · solvereign publish {run.id} --reason … · solvereign undo {run.id}")
    return 0 if r.verdict == "PASS" else EXIT_FAILED


def run_undo(args: argparse.Namespace) -> int:
    from app.ops.repair import undo

    run = undo(session_from_args(args), args.run_id, args.reason)
    if args.json:
        print_json({"run": run})
    else:
        print(f"plan {run.id} ({run.kind} v{run.version}) discarded: {run.state}")
    return 0


def run_edit(args: argparse.Namespace) -> int:
    from app.ops.edit import edit

    s = session_from_args(args)
    if bool(args.move) == bool(args.swap):
        raise UserError("give either --move INSTANCE --to DRIVER or --swap A,B --day N", EXIT_FAILED)
    if args.move:
        if not args.to:
            raise UserError("--move needs --to DRIVER", EXIT_FAILED)
        outcome = edit(s, args.run_id, "move", reason=args.reason, instance=args.move, to_driver=args.to,
                       override_freeze=args.override_freeze, preview=args.preview)
    else:
        pair = [x.strip() for x in args.swap.split(",")]
        if len(pair) != 2 or not all(pair):
            raise UserError("--swap needs two driver ids: A,B", EXIT_FAILED)
        outcome = edit(s, args.run_id, "swap", reason=args.reason, driver_a=pair[0], driver_b=pair[1], day=args.day,
                       override_freeze=args.override_freeze, preview=args.preview)
    if args.json:
        print_json(outcome)
    else:
        print(printable(outcome.message))
    return 0


def run_pin(args: argparse.Namespace) -> int:
    from app.ops.edit import pin

    result = pin(session_from_args(args), args.run_id, args.instance, reason=args.reason, pinned=args.pinned)
    if args.json:
        print_json({"pin": result, "pinned": args.pinned})
    elif result is None:
        print(f"instance {printable(args.instance)} unpinned in plan {args.run_id}")
    else:
        print(f"instance {printable(result.instance_id)} pinned to {printable(result.driver_id)} in plan {args.run_id}")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from app.ops.diff import diff_runs

    d = diff_runs(session_from_args(args, read_only=True), args.run_a, args.run_b)
    if args.json:
        print_json(d)
        return 0
    print(f"plan {args.run_a} → plan {args.run_b}: {len(d.moved)} moved ({100 * d.churn:.1f} %), "
          f"{len(d.only_in_a)} only in {args.run_a}, {len(d.only_in_b)} only in {args.run_b}")
    print(f"  drivers whose week changed: {len(d.drivers_changed)} {' '.join(map(printable, d.drivers_changed[:12]))}")
    print(f"  stand-ins added: {' '.join(map(printable, d.standins_added)) or '-'}; removed: {' '.join(map(printable, d.standins_removed)) or '-'}")
    if d.kpi_deltas:
        print("  KPI deltas: " + ", ".join(f"{k} {v:+g}" for k, v in d.kpi_deltas.items() if v))
    for m in d.moved[:30]:
        print(f"    {m.instance_id}: {printable(m.from_driver or '-')} → {printable(m.to_driver or '-')}")
    if len(d.moved) > 30:
        print(f"    … and {len(d.moved) - 30} more")
    return 0


def run_freeze(args: argparse.Namespace) -> int:
    from app.ops.forecasts import pick_site
    from app.ops.freeze import freeze_of, horizon, set_horizon

    s = session_from_args(args, read_only=args.set_horizon is None)
    if args.set_horizon is not None or args.run_id is None:
        site = pick_site(s, args.site)
        minutes = set_horizon(s, site, args.set_horizon, args.reason) if args.set_horizon is not None else horizon(s, site)
        if args.json:
            print_json({"site": site, "horizon_min": minutes})
        else:
            print(f"freeze horizon of {site}: {minutes} min")
        return 0
    detail = s.store.plans.detail(s.scope, args.run_id)
    view = freeze_of(s, detail)
    if args.json:
        print_json(view)
        return 0
    by_id = {i.id: i for i in detail.instances}
    days = sorted({by_id[i].day for i in view.frozen})
    print(f"plan {args.run_id}: {len(view.frozen)}/{len(detail.instances)} instances frozen (horizon {view.horizon_min} min"
          f"{'; days ' + ' '.join(DAY_CODES[d - 1] for d in days) if days else ''})")
    if view.next_at:
        print(f"  next freeze {view.next_at.astimezone(VIENNA).isoformat(timespec='minutes')}: {len(view.next_ids)} instance(s) "
              f"{' '.join(view.next_ids[:6])}")
    else:
        print("  everything is frozen")
    return 0
