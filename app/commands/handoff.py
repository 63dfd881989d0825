"""`solvereign handoff [--shift|--week] [--since ISO]`: the runbook's shift or weekly handoff as Markdown,
from the store; each one is recorded, so the next lists the events since this one."""

from __future__ import annotations

import argparse

from app.commands.common import add_json, print_json, session_from_args
from app.errors import EXIT_FAILED, UserError
from app.i18n import _
from app.remote.select import remote_from_args
from engine.clock import parse_now


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("handoff", help=_("the shift (default) or weekly handoff as Markdown: plans, approvals, alerts, events"))
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--shift", dest="kind", action="store_const", const="shift", help=_("the ops shift handoff (default)"))
    kind.add_argument("--week", dest="kind", action="store_const", const="week", help=_("the weekly platform handoff"))
    p.add_argument("--since", metavar="ISO", help=_("events since this time (default: since the last handoff of this kind)"))
    add_json(p)
    p.set_defaults(func=run_handoff, kind="shift")


def run_handoff(args: argparse.Namespace) -> int:
    from app.ops.handoff import handoff, render

    since = None
    if args.since:
        try:
            since = parse_now(args.since).now()
        except ValueError as exc:
            raise UserError(_("--since: {why}").format(why=exc), EXIT_FAILED) from None
    remote = remote_from_args(args)
    h = remote.handoff(args.kind, since) if remote else handoff(session_from_args(args), args.kind, since)
    if args.json:
        print_json(h)
    else:
        print(render(h), end="")
    return 0
