"""`drivers import|list|show|remove`: the site's driver roster.

`drivers import` exits 0 when the file is stored and 2 when nothing is stored (a file that
cannot be read or fails validation, or a role that may not import); every problem is
printed with its line (CSV) or position (JSON).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.tables import DRIVER_COLUMNS, driver_rows, print_table
from app.commands.common import add_json, add_reason, print_json, session_from_args
from app.errors import EXIT_BLOCKED, EXIT_OK
from app.reports import fmt_days, fmt_when
from app.remote.select import remote_from_args
from app.i18n import N_, _

MAX_PRINTED = 50  # problems printed in text mode; --json lists all


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("drivers", help=_("the site's driver roster: import a CSV/JSON file, list, show, remove"))
    ds = p.add_subparsers(dest="drivers_command", metavar="ACTION", required=True)
    imp = ds.add_parser("import", help=_("add or replace drivers from a CSV or JSON file (exit 0 stored, 2 nothing stored)"))
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--site", help=_("site code (default: your only site)"))
    add_json(imp)
    imp.set_defaults(func=run_import)
    ls = ds.add_parser("list", help=_("the roster of a site (default: every site you see)"))
    ls.add_argument("--site")
    add_json(ls)
    ls.set_defaults(func=run_list)
    sh = ds.add_parser("show", help=_("one driver"))
    sh.add_argument("external_id", metavar="ID")
    sh.add_argument("--site", help=_("site code (default: your only site)"))
    add_json(sh)
    sh.set_defaults(func=run_show)
    rm = ds.add_parser("remove", help=_("remove one driver (logged with the reason)"))
    rm.add_argument("external_id", metavar="ID")
    rm.add_argument("--site", required=True)
    add_reason(rm)
    add_json(rm)
    rm.set_defaults(func=run_remove)


def run_import(args: argparse.Namespace) -> int:
    from app.ops.roster import RosterRejected, import_drivers
    from engine.roster import RosterProblem

    remote = remote_from_args(args)
    s = None if remote else session_from_args(args)
    try:
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise RosterRejected([RosterProblem("file", f"cannot read {args.file}: {exc.strerror or exc}")]) from None
        outcome = remote.import_drivers(args.site, data) if remote else import_drivers(s, args.site, data)  # type: ignore[arg-type]
    except RosterRejected as exc:
        if args.json:
            print_json({"stored": 0, "error": exc.message, "problems": [{"where": p.where, "message": p.message} for p in exc.problems]})
        else:
            for problem in exc.problems[:MAX_PRINTED]:
                print(f"{args.file}: {problem}", file=sys.stderr)
            if len(exc.problems) > MAX_PRINTED:
                print(_("… and {value} more (--json lists all)").format(value=len(exc.problems) - MAX_PRINTED), file=sys.stderr)
            print(_("error: nothing stored: {n_problems} problem(s) in {file}").format(n_problems=len(exc.problems), file=args.file), file=sys.stderr)
        return EXIT_BLOCKED
    if args.json:
        print_json(outcome.model_dump() | {"stored": outcome.stored})
    else:
        print(_("stored {stored} drivers at {site}: {n_added} added, {n_updated} updated, {n_unchanged} unchanged").format(stored=outcome.stored, site=outcome.site, n_added=len(outcome.added), n_updated=len(outcome.updated), n_unchanged=len(outcome.unchanged)))
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from app.ops.roster import list_drivers

    remote = remote_from_args(args)
    rows = remote.drivers(args.site) if remote else list_drivers(session_from_args(args), site=args.site)
    if args.json:
        print_json({"drivers": rows})
        return EXIT_OK
    print_table(DRIVER_COLUMNS, (cells for _key, cells in driver_rows(rows)))
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from app.ops.roster import show_driver

    remote = remote_from_args(args)
    d = (remote.driver(args.external_id, args.site) if remote
         else show_driver(session_from_args(args), args.external_id, site=args.site))
    if args.json:
        print_json(d)
        return EXIT_OK
    fields = [
        (N_("contract"), _("{contract}, at most {hours} h a week").format(contract=d.contract_type, hours=f"{d.max_hours_week:g}")),
        (N_("skills"), ", ".join(d.skills) or "-"), (N_("depot"), d.depot), (N_("unavailable"), fmt_days(d.unavailable_days)),
        (N_("email"), d.email or "-"), (N_("phone"), d.phone or "-"), (N_("channel"), d.preferred_channel or "-"),
        (N_("updated"), _("{when} by {who}").format(when=fmt_when(d.updated_at), who=d.updated_by)),
    ]
    print(_("driver {id} at {site}: {name}").format(id=d.external_id, site=d.site, name=d.name or _("(no name)")))
    print("\n".join(f"  {_(label):<14} {value}" for label, value in fields))
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    from app.ops.roster import remove_driver

    remote = remote_from_args(args)
    kw = dict(site=args.site, reason=args.reason)
    d = (remote.remove_driver(args.external_id, **kw) if remote
         else remove_driver(session_from_args(args), args.external_id, **kw))
    if args.json:
        print_json({"removed": d})
    else:
        print(_("removed driver {external_id} ({value}) from {site}").format(external_id=d.external_id, value=d.name or _("no name"), site=d.site))

    return EXIT_OK
