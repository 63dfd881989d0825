"""`solvereign gdpr erase-driver ID --reason … [--site S]` (dpo and platform_admin, two people) · `gdpr log`."""

from __future__ import annotations

import argparse

from app.commands.common import add_json, add_reason, print_json, session_from_args
from app.errors import EXIT_OK
from app.i18n import _
from app.remote.select import remote_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gdpr", help=_("erase a driver's personal data (dpo + platform_admin, two people)"))
    gs = p.add_subparsers(dest="gdpr_command", metavar="ACTION", required=True)
    e = gs.add_parser("erase-driver", help=_("request, or (a second person of the other role) carry out, an erasure"))
    e.add_argument("driver", metavar="ID")
    e.add_argument("--site", help=_("the driver's site (default: your only site)"))
    add_reason(e)
    add_json(e)
    e.set_defaults(func=run_erase)
    log = gs.add_parser("log", help=_("erasure requests of your sites (no personal data)"))
    add_json(log)
    log.set_defaults(func=run_log)


def run_erase(args: argparse.Namespace) -> int:
    from app.ops.gdpr import erase_driver

    remote = remote_from_args(args)
    outcome = (remote.erase_driver(args.site, args.driver, args.reason) if remote
               else erase_driver(session_from_args(args), args.site, args.driver, args.reason))
    if args.json:
        print_json(outcome)
    else:
        print(outcome.message)
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    if remote:
        records = remote.erasures()
    else:
        s = session_from_args(args, read_only=True)
        records = s.store.gdpr.history(s.scope)
    if args.json:
        print_json({"erasures": records})
        return EXIT_OK
    for r in records:
        print(_("#{id} {site} {state:<7} requested by {requested_by} ({requested_role}) · confirmed by {value} ({value2}) · {value3}").format(id=r.id, site=r.site, state=r.state, requested_by=r.requested_by, requested_role=r.requested_role, value=r.confirmed_by or '-', value2=r.confirmed_role or '-', value3=r.pseudonym or ''))
    return EXIT_OK
