"""`solvereign store copy --from A --to B`: a whole store between DuckDB files and PostgreSQL databases.

An operator's command, like copying the store files: it reads and writes both stores directly (the
file, or the database owner in the URL), so it asks for no user of the store. Exit 0 when every table's
rows arrived and every chain verifies on the target, 1 when a check failed (or the source is missing),
2 when the target is not a new store.
"""

from __future__ import annotations

import argparse

from app.errors import EXIT_BLOCKED, EXIT_FAILED, EXIT_OK, UserError
from storage.location import store_location


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("store", help="operator tools for the store itself: copy between DuckDB and PostgreSQL")
    ss = p.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    cp = ss.add_parser("copy", help="copy a whole store (DuckDB file or postgresql:// URL) to a new one, then verify it")
    cp.add_argument("--from", dest="source", required=True, metavar="DB", help="the store to copy (file or URL)")
    cp.add_argument("--to", dest="target", required=True, metavar="DB", help="a new file, or an empty database")
    cp.set_defaults(func=run_copy)


def run_copy(args: argparse.Namespace) -> int:
    from storage import Store
    from storage.copy import copy_store
    from storage.errors import InvalidInput

    source, target = store_location(args.source), store_location(args.target)
    if not source.exists():
        raise UserError(f"no store at {source}", EXIT_FAILED)
    try:
        report = copy_store(Store(source, read_only=True), Store(target))
    except InvalidInput as exc:
        raise UserError(f"blocked: {exc.message}", EXIT_BLOCKED) from None
    print(f"copied {source} → {target}")
    print("  " + ", ".join(f"{table} {n}" for table, n in sorted(report.rows.items())))
    for problem in report.problems:
        print(f"  problem: {problem}")
    print(f"  row counts {'match' if report.ok else 'DIFFER'}; {report.chains_verified} chain(s) verify"
          if report.ok else f"  {len(report.problems)} problem(s): the copy does not match")
    return EXIT_OK if report.ok else EXIT_FAILED
