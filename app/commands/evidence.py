"""`solvereign evidence RUN [--out FILE.zip]` and `solvereign evidence verify FILE.zip [--with-store]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.common import add_json, print_json, session_from_args
from app.errors import EXIT_FAILED, EXIT_OK, UserError
from app.i18n import _


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

    s = session_from_args(args, read_only=args.out is not None)  # a pack in the site's folder is recorded on the run
    written = ops.export(s, run_id, Path(args.out) if args.out else None)
    if args.json:
        print_json({"run_id": run_id, "path": str(written.path), "sha256": written.sha256, "size": written.size})
    else:
        print(_("evidence pack of run {run_id}: {path} ({size} bytes) {sha256}").format(run_id=run_id, path=written.path, size=written.size, sha256=written.sha256))
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from app.ops import evidence as ops

    report = ops.verify(Path(args.file))
    keyed = None
    if report.ok and args.with_store:
        keyed = ops.verify_keyed(session_from_args(args, read_only=True), report)
        if keyed is None:
            report.passed.append("approvals: every record's keyed hash holds (store key)")
    failure = report.failure or keyed
    if args.json:
        print_json({"ok": failure is None, "passed": report.passed, "failure": failure,
                    "plan_id": report.manifest.get("plan_id"), "state": report.manifest.get("state")})
    else:
        for line in report.passed:
            print(_("ok    {line}").format(line=line))
        if failure:
            print(_("FAIL  {failure}").format(failure=failure))
        else:
            print(_("pack of plan {value} ({value2}) verifies").format(value=report.manifest.get('plan_id'), value2=report.manifest.get('state')))
    return EXIT_OK if failure is None else EXIT_FAILED
