"""`solvereign evidence RUN [--out FILE.zip]` and `solvereign evidence verify FILE.zip [--with-store]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.common import add_json, print_json, session_from_args
from app.errors import EXIT_FAILED, EXIT_OK, UserError
from app.i18n import _
from app.remote.select import remote_from_args

if TYPE_CHECKING:
    from app.ops.evidence import PackCheck


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evidence",
        help=_("write a plan's evidence pack (zip), or verify one: evidence RUN [--out FILE.zip] | evidence verify FILE.zip"),
    )
    p.add_argument("target", metavar="RUN|verify", help=_("the run id to export, or 'verify'"))
    p.add_argument("file", nargs="?", metavar="FILE.zip", help=_("with verify: the pack to check"))
    p.add_argument("--out", metavar="FILE.zip", help=_("where to write the pack (default: the site's evidence folder)"))
    p.add_argument("--with-store", action="store_true",
                   help=_("verify: also check each approval record's keyed hash with the store's key (--db)"))
    add_json(p)
    p.set_defaults(func=run_evidence)


def run_evidence(args: argparse.Namespace) -> int:
    if args.target == "verify":
        if not args.file or args.out:
            raise UserError(_("usage: solvereign evidence verify FILE.zip [--with-store]"), EXIT_FAILED)
        return _verify(args)
    if args.file or args.with_store:
        raise UserError(_("usage: solvereign evidence RUN [--out FILE.zip]"), EXIT_FAILED)
    try:
        run_id = int(args.target)
    except ValueError:
        raise UserError(_("{value!r} is neither a run id nor 'verify'").format(value=args.target[:40]), EXIT_FAILED) from None
    from app.ops import evidence as ops

    remote = remote_from_args(args)
    if remote is None:
        s = session_from_args(args, read_only=args.out is not None)  # a pack in the site's folder is recorded on the run
        written = ops.export(s, run_id, Path(args.out) if args.out else None)
        path, sha256, size = str(written.path), written.sha256, written.size
    elif args.out:  # the pack comes down and is written here
        written = ops.write_atomically(Path(args.out), remote.evidence_pack(run_id))
        path, sha256, size = str(written.path), written.sha256, written.size
    else:  # the site's folder is on the server's host
        path, sha256, size = remote.record_evidence(run_id)
    if args.json:
        print_json({"run_id": run_id, "path": path, "sha256": sha256, "size": size})
    else:
        print(_("evidence pack of run {run_id}: {path} ({size} bytes) {sha256}").format(run_id=run_id, path=path, size=size, sha256=sha256))
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from app.ops import evidence as ops

    data = ops.read_pack(Path(args.file))
    remote = remote_from_args(args)
    if remote is not None:
        check = remote.check_pack(data, with_store=args.with_store)
    else:
        check = ops.check_pack(data, session_from_args(args, read_only=True) if args.with_store else None)
    return print_check(check, args.json)


def print_check(check: PackCheck, as_json: bool) -> int:
    """The verdict, local or from the server."""
    if as_json:
        print_json(check)
    else:
        for line in check.passed:
            print(_("ok    {line}").format(line=line))
        if check.failure:
            print(_("FAIL  {failure}").format(failure=check.failure))
        else:
            print(_("pack of plan {value} ({value2}) verifies").format(value=check.plan_id, value2=check.state))
    return EXIT_OK if check.ok else EXIT_FAILED
