"""`solvereign alerts [--all] [--json]` and `solvereign alerts ack ID --reason "…"`: the escalation
alerts of the caller's scope (runbook §9.1), open ones by default, worst first."""

from __future__ import annotations

import argparse

from app.commands.common import add_json, add_reason, print_json, session_from_args
from app.i18n import _
from app.remote.select import remote_from_args
from app.reports import fmt_instant


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help=_("escalation alerts: list the open ones (--all: every one), acknowledge one"))
    p.add_argument("--all", action="store_true", help=_("acknowledged alerts too"))
    add_json(p)
    p.set_defaults(func=run_list)
    acts = p.add_subparsers(dest="alerts_command", metavar="ack")
    a = acts.add_parser("ack", help=_("acknowledge an alert (S2: on_call, ops_lead; S1: ops_lead; S0: platform_admin)"))
    a.add_argument("alert_id", type=int, metavar="ID")
    add_reason(a)
    add_json(a)
    a.set_defaults(func=run_ack)


def run_list(args: argparse.Namespace) -> int:
    from app.ops.alerts import visible_alerts

    remote = remote_from_args(args)
    shown = (remote.alerts(include_acked=args.all) if remote
             else visible_alerts(session_from_args(args, read_only=True), include_acked=args.all))
    if args.json:
        print_json({"alerts": shown})
        return 0
    if not shown:
        print(_("no open alerts") if not args.all else _("no alerts"))
    for a in shown:
        state = _("open") if a.acked_at is None else _("acknowledged by {who}").format(who=a.acked_by)
        print(_("#{id} {severity} {kind} {site} {when}: {message} [{state}; webhook {delivery}]").format(
            id=a.id, severity=a.severity, kind=a.kind, site=a.site, when=fmt_instant(a.raised_at), message=a.message,
            state=state, delivery=a.delivery_state))
    return 0


def run_ack(args: argparse.Namespace) -> int:
    from app.ops.alerts import ack

    remote = remote_from_args(args)
    alert = remote.ack_alert(args.alert_id, args.reason) if remote else ack(session_from_args(args), args.alert_id, args.reason)
    if args.json:
        print_json(alert)
        return 0
    print(_("alert {id} acknowledged by {who}").format(id=alert.id, who=alert.acked_by))
    return 0


def note_refusal(args: argparse.Namespace, exc: Exception) -> None:
    """A local command refused as "not found": tell the store if it was a scope violation attempt (S0)."""
    from app.ops.alerts import note_refusal as note
    from app.errors import UserError
    from storage.errors import NotFound, StoreError

    if not isinstance(exc, NotFound) or exc.kind is None or getattr(args, "api", None):
        return
    try:
        note(session_from_args(args), exc)
    except (UserError, StoreError):
        pass  # a store that is served or read-only: the refusal itself stands
