"""`solvereign notify RUN` (queue and send each driver's week) · `solvereign notify status RUN`."""

from __future__ import annotations

import argparse

from app.tables import Column, print_table
from app.commands.common import add_json, print_json, session_from_args
from app.errors import EXIT_FAILED, EXIT_OK, UserError
from app.ops.text import printable


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notify", help="tell each driver of a LOCKED plan their week: notify RUN | notify status RUN")
    p.add_argument("target", metavar="RUN|status", help="the run id to notify, or 'status'")
    p.add_argument("run", nargs="?", metavar="RUN", help="with status: the run")
    add_json(p)
    p.set_defaults(func=run_notify)


def _run_id(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        raise UserError(f"{(text or '')[:40]!r} is not a run id (notify RUN | notify status RUN)", EXIT_FAILED) from None


def run_notify(args: argparse.Namespace) -> int:
    from app.notify.config import backoff_seconds, channels
    from app.ops import notify as ops

    if args.target == "status":
        s = session_from_args(args, read_only=True)
        messages = ops.status(s, _run_id(args.run))
        if args.json:
            print_json({"messages": [m.model_dump(exclude={"ics", "body"}) for m in messages]})
            return EXIT_OK
        columns = [Column("driver"), Column("channel"), Column("state"), Column("attempts", right=True), Column("last error", free=True)]
        print_table(columns, ((m.driver_id, m.channel, m.state, str(m.attempts), printable(m.last_error or ""))
                              for m in messages))
        return EXIT_OK
    if args.run:
        raise UserError("usage: solvereign notify RUN | solvereign notify status RUN", EXIT_FAILED)
    run_id = _run_id(args.target)
    report = ops.notify(session_from_args(args), run_id, channels(), backoff=backoff_seconds())
    if args.json:
        print_json(report)
    else:
        print(f"run {run_id}: {len(report.sent)} sent, {len(report.pending)} pending, {len(report.failed)} failed, "
              f"{len(report.no_contact)} without contact data, {report.unchanged} unchanged (not told again)")
        for d in report.no_contact:
            print(f"  no contact data: {d}")
        for d in report.failed:
            print(f"  failed: {d} (solvereign notify status {run_id})")
    return EXIT_OK if not report.failed and not report.pending else EXIT_FAILED
