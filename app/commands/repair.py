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
from app.remote.select import remote_from_args
from engine.clock import VIENNA, parse_now
from app.i18n import _, days as day_names


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
        raise UserError(_("{name} {value!r} is not an ISO date-time (e.g. 2026-01-08T06:00)").format(name=name, value=text[:40]), EXIT_FAILED) from None


def run_repair(args: argparse.Namespace) -> int:
    from app.ops import repair as ops

    kw = dict(reason=args.reason, kind=args.type, start=_instant(args.start, "--from"), end=_instant(args.end, "--to"),
              override_freeze=args.override_freeze, time_limit=args.time_limit)
    absent = args.absent.split(",")
    remote = remote_from_args(args)
    if remote is not None:
        preview, run, message = remote.repair(args.run_id, absent, preview=args.preview, **kw)  # type: ignore[arg-type]
    elif args.preview:
        preview, run, message = ops.preview_repair(session_from_args(args), args.run_id, absent, **kw), None, None  # type: ignore[arg-type]
    else:
        outcome = ops.apply_repair(session_from_args(args), args.run_id, absent, **kw)  # type: ignore[arg-type]
        preview, run, message = outcome.preview, outcome.run, outcome.message
    r = preview.result
    if args.json:
        doc = preview.model_dump(mode="json", exclude={"result": {"assignments"}})
        doc["run"] = run.model_dump(mode="json") if run else None
        print_json(doc)
    else:
        print(_("repair of plan {run_id} ({state}), absent {items} ({kind})").format(run_id=args.run_id, state=preview.parent.state, items=', '.join(map(printable, preview.absent)), kind=preview.kind)
              + (" — " + _("preview, nothing stored") if run is None else ""))
        print(_("  verdict {verdict}").format(verdict=r.verdict) + (f": {'; '.join(r.reasons)}" if r.reasons else ""))
        print(_("  uncovered before {n_uncovered_before}, after {n_uncovered_after}; churn {value:.1f} % ({n_changes} change(s)); affected drivers {n_affected_drivers}; new stand-ins {n_new_standins}").format(n_uncovered_before=len(r.uncovered_before), n_uncovered_after=len(r.uncovered_after), value=100 * r.churn, n_changes=len(r.changes), n_affected_drivers=len(r.affected_drivers), n_new_standins=len(r.new_standins)))
        print(_("  audits {sum}/{n_audits}; frozen {n_frozen} (horizon {horizon_min} min), pinned {n_pinned}; {seconds:.2f} s").format(sum=sum(a.status == 'PASS' for a in r.audits), n_audits=len(r.audits), n_frozen=len(preview.frozen), horizon_min=preview.horizon_min, n_pinned=len(preview.pinned), seconds=r.seconds))
        if preview.kept_with_absent:
            print(_("  kept with the absent drivers (frozen or pinned): {items}").format(items=', '.join(preview.kept_with_absent[:8]))
                  + ("" if args.override_freeze else " — " + _("--override-freeze (on_call) lets frozen ones move")))
        for c in r.changes[:20]:
            print(f"    {c.instance_id}: {printable(c.from_driver or '-')} → {printable(c.to_driver or '-')}")
        if len(r.changes) > 20:
            print(_("    … and {value} more").format(value=len(r.changes) - 20))
        if run is not None:
            print(message)
            print(_("next: solvereign diff {run_id} {id} · solvereign publish {id} --reason … · solvereign undo {id}").format(run_id=args.run_id, id=run.id))
    return 0 if r.verdict == "PASS" else EXIT_FAILED


def run_undo(args: argparse.Namespace) -> int:
    from app.ops.repair import undo

    remote = remote_from_args(args)
    run = remote.undo(args.run_id, args.reason) if remote else undo(session_from_args(args), args.run_id, args.reason)
    if args.json:
        print_json({"run": run})
    else:
        print(_("plan {id} ({kind} v{version}) discarded: {state}").format(id=run.id, kind=run.kind, version=run.version, state=run.state))
    return 0


def run_edit(args: argparse.Namespace) -> int:
    from app.ops.edit import edit

    if bool(args.move) == bool(args.swap):
        raise UserError(_("give either --move INSTANCE --to DRIVER or --swap A,B --day N"), EXIT_FAILED)
    if args.move:
        if not args.to:
            raise UserError(_("--move needs --to DRIVER"), EXIT_FAILED)
        kw = dict(changes_of="move", instance=args.move, to_driver=args.to)
    else:
        pair = [x.strip() for x in args.swap.split(",")]
        if len(pair) != 2 or not all(pair):
            raise UserError(_("--swap needs two driver ids: A,B"), EXIT_FAILED)
        kw = dict(changes_of="swap", driver_a=pair[0], driver_b=pair[1], day=args.day)
    remote = remote_from_args(args)
    outcome = (remote.edit(args.run_id, reason=args.reason, override_freeze=args.override_freeze, preview=args.preview, **kw)
               if remote else edit(session_from_args(args), args.run_id, reason=args.reason,  # type: ignore[arg-type]
                                   override_freeze=args.override_freeze, preview=args.preview, **kw))
    if args.json:
        print_json(outcome)
    else:
        print(printable(outcome.message))
    return 0


def run_pin(args: argparse.Namespace) -> int:
    from app.ops.edit import pin

    remote = remote_from_args(args)
    result = (remote.pin(args.run_id, args.instance, reason=args.reason, pinned=args.pinned) if remote
              else pin(session_from_args(args), args.run_id, args.instance, reason=args.reason, pinned=args.pinned))
    if args.json:
        print_json({"pin": result, "pinned": args.pinned})
    elif result is None:
        print(_("instance {printable} unpinned in plan {run_id}").format(printable=printable(args.instance), run_id=args.run_id))
    else:
        print(_("instance {printable} pinned to {printable2} in plan {run_id}").format(printable=printable(result.instance_id), printable2=printable(result.driver_id), run_id=args.run_id))
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from app.ops.diff import diff_runs

    remote = remote_from_args(args)
    d = (remote.diff_runs(args.run_a, args.run_b) if remote
         else diff_runs(session_from_args(args, read_only=True), args.run_a, args.run_b))
    if args.json:
        print_json(d)
        return 0
    print(_("plan {run_a} → plan {run_b}: {n_moved} moved ({value:.1f} %), {n_only_in_a} only in {run_a}, {n_only_in_b} only in {run_b}").format(run_a=args.run_a, run_b=args.run_b, n_moved=len(d.moved), value=100 * d.churn, n_only_in_a=len(d.only_in_a), n_only_in_b=len(d.only_in_b)))
    print(_("  drivers whose week changed: {n_drivers_changed} {items}").format(n_drivers_changed=len(d.drivers_changed), items=' '.join(map(printable, d.drivers_changed[:12]))))
    print(_("  stand-ins added: {value}; removed: {value2}").format(value=' '.join(map(printable, d.standins_added)) or '-', value2=' '.join(map(printable, d.standins_removed)) or '-'))
    if d.kpi_deltas:
        print(_("  KPI deltas: ") + ", ".join(f"{k} {v:+g}" for k, v in d.kpi_deltas.items() if v))
    for m in d.moved[:30]:
        print(f"    {m.instance_id}: {printable(m.from_driver or '-')} → {printable(m.to_driver or '-')}")
    if len(d.moved) > 30:
        print(_("    … and {value} more").format(value=len(d.moved) - 30))
    return 0


def run_freeze(args: argparse.Namespace) -> int:
    from app.ops.forecasts import pick_site
    from app.ops.freeze import freeze_of, frozen_days, horizon, set_horizon

    remote = remote_from_args(args)
    if args.set_horizon is not None or args.run_id is None:
        if remote:
            site, minutes = remote.freeze_horizon(args.site, args.set_horizon, args.reason)
        else:
            s = session_from_args(args, read_only=args.set_horizon is None)
            site = pick_site(s, args.site)
            minutes = set_horizon(s, site, args.set_horizon, args.reason) if args.set_horizon is not None else horizon(s, site)
        if args.json:
            print_json({"site": site, "horizon_min": minutes})
        else:
            print(_("freeze horizon of {site}: {minutes} min").format(site=site, minutes=minutes))
        return 0
    if remote:
        view, shape = remote.freeze_of(args.run_id)
    else:
        s = session_from_args(args, read_only=True)
        detail = s.store.plans.detail(s.scope, args.run_id)
        view = freeze_of(s, detail)
        shape = frozen_days(detail, view)
    if args.json:
        print_json(view)
        return 0
    days = shape.days
    print(_("plan {run_id}: {n_frozen}/{n_instances} instances frozen (horizon {horizon_min} min{value})").format(run_id=args.run_id, n_frozen=len(view.frozen), n_instances=shape.instances, horizon_min=view.horizon_min, value="; " + _("days {days}").format(days=day_names(days)) if days else ""))

    if view.next_at:
        print(_("  next freeze {value}: {n_next_ids} instance(s) {items}").format(value=view.next_at.astimezone(VIENNA).isoformat(timespec='minutes'), n_next_ids=len(view.next_ids), items=' '.join(view.next_ids[:6])))
    else:
        print(_("  everything is frozen"))
    return 0
