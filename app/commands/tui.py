"""`solvereign` (no subcommand) and `solvereign tui`: open the cockpit."""

from __future__ import annotations

import argparse
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from platformdirs import user_log_dir

from app.commands.common import clock_from_args, db_path_from_args
from app.errors import EXIT_FAILED, UserError
from app.loading import loading
from app.remote.select import remote_from_args
from app.settings import APP, os_login, resolve_theme
from app.tui.context import CockpitContext
from app.i18n import _

if TYPE_CHECKING:
    from app.tui.app import CockpitApp
    from app.tui.backend import CockpitBackend


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tui", help=_("open the cockpit (the default without a subcommand)"))
    add_tui_options(p, default=argparse.SUPPRESS)
    p.set_defaults(func=run)


def add_tui_options(p: argparse.ArgumentParser, default: object = None) -> None:
    """On the main parser (before any subcommand) and on `tui`; the latter must not reset the former."""
    def d(value: object) -> object:
        return value if default is None else default

    p.add_argument("--read-only", action="store_true", default=d(False), help=_("open nothing for writing; actions disappear"))
    p.add_argument("--theme", default=d(None), help=_("a Textual theme, e.g. ansi-dark for the terminal's own palette"))
    p.add_argument("--no-mouse", action="store_true", default=d(False), help=_("do not capture the mouse"))
    p.add_argument("--refresh", type=float, default=d(3.0), help=_("seconds between automatic refreshes of the runs list"))


def _log_to_file() -> None:
    """Nothing may reach stdout while the cockpit runs: logs go to a file."""
    from pathlib import Path

    folder = Path(user_log_dir(APP))
    folder.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=folder / "cockpit.log", level=logging.INFO, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def build_app(args: argparse.Namespace) -> CockpitApp:
    """The cockpit for these options. The first read of the store starts before Textual is
    imported: DuckDB works in its own thread (it releases the GIL) while Python loads the UI,
    which takes a tenth of a second or more off the cold start."""
    try:  # a broken config file is a one-line error, not a traceback
        theme = resolve_theme(getattr(args, "theme", None))
    except ValueError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    _log_to_file()
    ctx = _backend(args)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="first-read")
    first_read = pool.submit(ctx.overview)
    pool.shutdown(wait=False)  # the read still runs; its thread ends with it
    with loading():
        from app.tui.app import CockpitApp

    return CockpitApp(ctx, theme=theme, refresh_seconds=getattr(args, "refresh", 3.0), first_read=first_read)


def _backend(args: argparse.Namespace) -> CockpitBackend:
    """The local store, or with `--api URL` (SOLVEREIGN_API) the server: the same cockpit either way."""
    read_only = getattr(args, "read_only", False)
    remote = remote_from_args(args, interactive=True)
    if remote is not None:
        from app.tui.backend import RemoteBackend

        return RemoteBackend(remote, os_login(), read_only=read_only)
    return CockpitContext(db_path=db_path_from_args(args), clock=clock_from_args(args), login=os_login(),
                          act_as=getattr(args, "act_as", None), read_only=read_only)


def run(args: argparse.Namespace) -> int:
    app = build_app(args)
    app.run(mouse=not getattr(args, "no_mouse", False))
    return app.return_code or 0
