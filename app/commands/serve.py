"""`solvereign serve`: the HTTP API over this store (the only process that writes it meanwhile)."""

from __future__ import annotations

import argparse

from app.commands.common import clock_from_args, db_path_from_args
from app.errors import EXIT_FAILED, UserError
from app.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help=_("serve the HTTP API (X-API-Key per user) over this store"))
    p.add_argument("--host", default="127.0.0.1", help=_("address to bind (default 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8470, help=_("port (default 8470)"))
    p.add_argument("--solve-workers", type=int, default=None, help=_("parallel solves (default and maximum: one per core); on PostgreSQL 0 leaves the queue to 'solvereign worker'"))
    p.add_argument("--jobs-every", type=float, default=30.0, metavar="S",
                   help=_("how often scheduled jobs check what is due, in seconds (0: no scheduled jobs)"))
    p.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    path = db_path_from_args(args)
    if not path.exists():
        raise UserError(_("no store at {path}: an admin runs 'solvereign init --tenant T --site S' first").format(path=path), EXIT_FAILED)
    from app.server.serve import serve  # FastAPI and uvicorn load only for this command

    serve(path, clock_from_args(args), host=args.host, port=args.port, workers=args.solve_workers, jobs_every=args.jobs_every)
    return 0
