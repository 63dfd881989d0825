"""`solvereign notify RUN` (queue and send each driver's week) · `solvereign notify status RUN` ·
`solvereign notify due` (the weekly send a system timer calls: what the server's scheduler does)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.tables import Column, print_table
from app.commands.common import add_json, print_json, session_from_args
from app.errors import EXIT_FAILED, EXIT_OK, UserError
from app.ops.text import printable
from app.i18n import N_, _
from app.remote.select import remote_from_args

if TYPE_CHECKING:
    from app.ops.notify import NotifyReport
    from app.remote.client import RemoteOps


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notify", help=_("tell each driver of a LOCKED plan their week: notify RUN | notify status RUN | notify due"))
    p.add_argument("target", metavar="RUN|status|due", help=_("the run id to notify, 'status', or 'due' (every LOCKED plan of the coming week once its site's slot has passed)"))
    p.add_argument("run", nargs="?", metavar="RUN", help=_("with status: the run"))
    p.add_argument("--now", default=argparse.SUPPRESS, metavar="ISO", help=_("with due: the time to act at (as the global --now)"))
    add_json(p)
    p.set_defaults(func=run_notify)


def _run_id(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        raise UserError(_("{value!r} is not a run id (notify RUN | notify status RUN)").format(value=(text or '')[:40]), EXIT_FAILED) from None


def run_notify(args: argparse.Namespace) -> int:
    from app.notify.config import backoff_seconds, channels
    from app.ops import notify as ops

    remote = remote_from_args(args)
    if args.target == "status":
        run_id = _run_id(args.run)
        messages = remote.notify_status(run_id) if remote else ops.status_lines(session_from_args(args, read_only=True), run_id)
        if args.json:
            print_json({"messages": messages})
            return EXIT_OK
        columns = [Column(N_("driver")), Column(N_("channel")), Column(N_("state")), Column(N_("attempts"), right=True), Column(N_("last error"), free=True)]
        print_table(columns, ((m["driver_id"], m["channel"], m["state"], str(m["attempts"]), printable(m["last_error"] or ""))
                              for m in messages))
        return EXIT_OK
    if args.run:
        raise UserError(_("usage: solvereign notify RUN | solvereign notify status RUN | solvereign notify due"), EXIT_FAILED)
    if args.target == "due":
        return _run_due(args, remote)
    run_id = _run_id(args.target)
    report = (remote.notify(run_id) if remote
              else ops.notify(session_from_args(args), run_id, channels(), backoff=backoff_seconds()))
    if args.json:
        print_json(report)
    else:
        _print_report(report)
    return EXIT_OK if not report.failed and not report.pending else EXIT_FAILED


def _run_due(args: argparse.Namespace, remote: RemoteOps | None) -> int:
    from app.notify.config import backoff_seconds, channels
    from app.ops import notify as ops

    reports = remote.notify_due() if remote else ops.notify_due(session_from_args(args), channels(), backoff=backoff_seconds())
    if args.json:
        print_json({"reports": reports})
    else:
        if not reports:
            print(_("nothing due: no LOCKED plan of the coming week waits to be told (solvereign jobs)"))
        for report in reports:
            _print_report(report)
    return EXIT_OK if all(not r.failed and not r.pending for r in reports) else EXIT_FAILED


def _print_report(report: NotifyReport) -> None:
    run_id = report.run_id
    print(_("run {run_id}: {n_sent} sent, {n_pending} pending, {n_failed} failed, {n_no_contact} without contact data, {unchanged} unchanged (not told again)").format(run_id=run_id, n_sent=len(report.sent), n_pending=len(report.pending), n_failed=len(report.failed), n_no_contact=len(report.no_contact), unchanged=report.unchanged))
    for d in report.no_contact:
        print(_("  no contact data: {d}").format(d=d))
    for d in report.failed:
        print(_("  failed: {d} (solvereign notify status {run_id})").format(d=d, run_id=run_id))
