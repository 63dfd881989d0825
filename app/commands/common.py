"""Helpers the subcommands share: reading a forecast file and printing JSON.

Command modules import their use cases inside the handlers: `solvereign` alone opens the
cockpit, and its start must not pay for parsers or the solver it does not use yet.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from datetime import date
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic_core import to_jsonable_python

from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.ops.session import Session, open_session
from app.settings import os_login, resolve_db_path
from engine.clock import Clock, SystemClock, parse_now
from engine.parsers import FORMATS
from storage.errors import StoreError
from app.i18n import _

if TYPE_CHECKING:
    from engine.ingest import IngestResult


def add_forecast_options(p: argparse.ArgumentParser) -> None:
    """The options every command that reads a forecast file takes."""
    p.add_argument("--format", default="auto", choices=("auto", *FORMATS), help=_("force the input shape"))
    p.add_argument("--tenant", help=_("tenant code (CSV, text and export files carry none)"))
    p.add_argument("--site", help=_("site code (CSV, text and export files carry none)"))
    p.add_argument("--anchor", help=_("week anchor date YYYY-MM-DD, a Monday"))


def read_forecast(
    path: str, args: argparse.Namespace, defaults: dict[str, str | None] | None = None
) -> tuple[bytes | None, IngestResult]:
    """Read and ingest FILE; an unreadable path is a FAIL report, never an exception.
    `defaults` (default_tenant / default_site) fill only what the file and the options leave open."""
    from engine.contract import failed_report
    from engine.ingest import IngestResult, ingest

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)

        return None, IngestResult(failed_report(reason), None, None)
    anchor: date | str | None = args.anchor
    return data, ingest(data, fmt=args.format, tenant=args.tenant, site=args.site, anchor=anchor, **(defaults or {}))


def store_session(args: argparse.Namespace) -> Session | None:
    """The acting user on the store, when there is a store and they are a user of it (read-only);
    else None: commands that work without a store (validate) then go on without one."""
    from storage.errors import StoreError

    try:
        if not db_path_from_args(args).exists():
            return None
        return session_from_args(args, read_only=True)
    except (UserError, StoreError):
        return None


def print_json(obj: Any) -> None:
    """One JSON object on stdout; pydantic models, dates and dataclasses included."""
    json.dump(to_jsonable_python(obj), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def clock_from_args(args: argparse.Namespace) -> Clock:
    """`--now` / SOLVEREIGN_NOW set the clock for drills and tests; else the system clock."""
    text = getattr(args, "now", None) or os.environ.get("SOLVEREIGN_NOW")
    if not text:
        return SystemClock()
    try:
        return parse_now(text)
    except ValueError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None


def db_path_from_args(args: argparse.Namespace) -> Path:
    try:
        return resolve_db_path(getattr(args, "db", None))
    except ValueError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None


def session_from_args(args: argparse.Namespace, *, read_only: bool = False) -> Session:
    """The acting user on the chosen store (OS login, `--as` for platform admins)."""
    return open_session(
        db_path_from_args(args), clock_from_args(args), os_login(),
        act_as=getattr(args, "act_as", None), read_only=read_only or getattr(args, "read_only", False),
    )


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))


def add_reason(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--reason", required=required, help=_("why (at least 10 visible characters; recorded)"))


def nothing_stored_exits_2(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """`validate` and `import`: every outcome that stores nothing exits 2 (a missing site, an unreadable
    config, a refused role…), so a script can rely on "exit ≥ 2: nothing stored"; 1 stays WARN."""

    @functools.wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (UserError, StoreError) as exc:
            exc.exit_code = max(exc.exit_code, EXIT_BLOCKED)
            raise

    return guarded
