"""`solvereign retention purge [--dry-run]` · `retention policy` · `retention set --data-days N --log-days N --reason …`."""

from __future__ import annotations

import argparse

from app.commands.common import add_json, add_reason, print_json, session_from_args
from app.errors import EXIT_OK
from app.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("retention", help=_("purge old data (SPEC §9) and the tenant's retention policy (platform_admin)"))
    rs = p.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    purge = rs.add_parser("purge", help=_("remove inputs, outputs, approval records and packs past their period"))
    purge.add_argument("--dry-run", action="store_true", help=_("list exactly what would go; change nothing"))
    add_json(purge)
    purge.set_defaults(func=run_purge)
    show = rs.add_parser("policy", help=_("the tenant's retention periods"))
    add_json(show)
    show.set_defaults(func=run_policy)
    put = rs.add_parser("set", help=_("set the tenant's retention periods"))
    put.add_argument("--data-days", type=int, required=True, help=_("forecasts, plans not locked, solver outputs (default 90)"))
    put.add_argument("--log-days", type=int, required=True, help=_("locked plans, approval records, evidence packs (default 365)"))
    add_reason(put)
    add_json(put)
    put.set_defaults(func=run_set)


def run_purge(args: argparse.Namespace) -> int:
    from app.ops import retention as ops

    s = session_from_args(args, read_only=args.dry_run)
    report = ops.purge(s, dry_run=args.dry_run)
    if args.json:
        print_json(report)
        return EXIT_OK
    verb = _("would remove") if report.dry_run else _("removed")
    print(_("{verb}: plans {ids}").format(verb=verb, ids=_ids(report.plans)))
    print(_("{verb}: forecasts {ids}").format(verb=verb, ids=_ids(report.forecasts)))
    print(_("{verb}: approval records {ids} (each leaves a tombstone with its hash)").format(verb=verb, ids=_ids(report.tombstoned)))
    print(_("{verb}: evidence packs {ids}").format(verb=verb, ids=_ids(report.packs)))
    print(_("kept (locked, inside its period): plans {ids}").format(ids=_ids(report.kept_locked)))
    return EXIT_OK


def _ids(items: tuple[object, ...]) -> str:
    return ", ".join(map(str, items)) or "none"


def run_policy(args: argparse.Namespace) -> int:
    from app.ops import retention as ops

    p = ops.policy(session_from_args(args, read_only=True))
    if args.json:
        print_json(p)
    else:
        print(_("data {data_days} days (forecasts, unlocked plans) · log {log_days} days (locked plans, approvals, packs)").format(data_days=p.data_days, log_days=p.log_days))
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    from app.ops import retention as ops

    rec = ops.set_policy(session_from_args(args), args.data_days, args.log_days, args.reason)
    if args.json:
        print_json(rec)
    else:
        print(_("retention set: data {data_days} days · log {log_days} days").format(data_days=args.data_days, log_days=args.log_days))
    return EXIT_OK
