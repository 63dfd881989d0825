"""The `solvereign` command line: one subcommand per use case.

Each subcommand lives in `app/commands/<name>.py` with a `register(subparsers)`
function that sets `func(args) -> int`. Errors a user can cause are `UserError`s
and end in one line on stderr with their exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.loading import loading

with loading():
    from app.commands import (
        admin, audit, drill, drivers, evidence, forecasts, gdpr, jobs, notify, repair, retention, runs, queue, serve, solve, status, store, tui,
        validate,
    )
    from app.errors import UserError
    from app.ops.text import printable
    from app.remote.select import check_mode
    from storage.errors import StoreError

COMMANDS = (validate, solve, audit, admin, status, forecasts, drivers, runs, repair, drill, evidence, retention, gdpr, notify, jobs, serve,
            queue, store, tui)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solvereign",
        description="Roster cockpit: validate, solve, audit, publish and lock the weekly driver roster.",
    )
    parser.add_argument("--db", metavar="PATH", help="the store file (env SOLVEREIGN_DB; default in your data directory)")
    parser.add_argument("--as", dest="act_as", metavar="LOGIN", help="act as another user (platform_admin only; recorded)")
    parser.add_argument("--now", metavar="ISO", help="set the clock (env SOLVEREIGN_NOW): platform_admin, drills and tests only")
    parser.add_argument("--api", metavar="URL", help="use the server at URL instead of a local store (env SOLVEREIGN_API; "
                        "key in SOLVEREIGN_API_KEY or config api_key)")
    tui.add_tui_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = tui.run  # no subcommand: open the cockpit
    try:
        check_mode(args)
        return int(args.func(args))
    except (UserError, StoreError) as exc:
        print(f"error: {printable(exc.message)}", file=sys.stderr)  # one line, whatever a file name held
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
