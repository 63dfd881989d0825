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
        admin, alerts, audit, drill, drivers, evidence, forecasts, gdpr, handoff, jobs, notify, repair, retention, runs, queue, serve, solve, status, store, tui,
        validate,
    )
    from app.errors import EXIT_BLOCKED, UserError, said
    from app.i18n import DEFAULT, LANGUAGES, N_, UnknownLanguage, _, choose, ngettext, set_language
    from app.ops.text import printable
    from app.remote.select import check_mode
    from storage.errors import StoreError

# argparse's own words (it looks its `_` up when it speaks: `speak_argparse` points it at ours)
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("one of the arguments %s is required"),
    N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("%(prog)s: error: %(message)s\n"),
    N_("not allowed with argument %s"), N_("ignored explicit argument %r"),
)
COMMANDS = (validate, solve, audit, admin, status, forecasts, drivers, runs, repair, drill, evidence, retention, gdpr, notify, jobs, serve,
            queue, store, alerts, handoff, tui)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solvereign",
        description=_("Roster cockpit: validate, solve, audit, publish and lock the weekly driver roster."),
    )
    parser.add_argument("--db", metavar="PATH", help=_("the store file (env SOLVEREIGN_DB; default in your data directory)"))
    parser.add_argument("--as", dest="act_as", metavar="LOGIN", help=_("act as another user (platform_admin only; recorded)"))
    parser.add_argument("--now", metavar="ISO", help=_("set the clock (env SOLVEREIGN_NOW): platform_admin, drills and tests only"))
    parser.add_argument("--api", metavar="URL", help=_("use the server at URL instead of a local store (env SOLVEREIGN_API; "
                        "key in SOLVEREIGN_API_KEY or config api_key)"))
    parser.add_argument("--lang", metavar="de|en", help=_("the language of messages and the cockpit (env SOLVEREIGN_LANG; "
                        "default from the locale, LC_ALL / LC_MESSAGES / LANG, else English)"))
    tui.add_tui_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def lang_flag(argv: Sequence[str]) -> str | None:
    """`--lang X` / `--lang=X` before the subcommand is parsed: the parser's own help is in that language.
    A `--lang` without a value is the empty string (refused as unknown)."""
    for n, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang":
            return argv[n + 1] if n + 1 < len(argv) else ""
        if arg.startswith("--lang="):
            return arg.removeprefix("--lang=")
    return None


def speak_argparse() -> None:
    """argparse has no hook for its messages but calls the module's `_` each time it speaks
    (gettext's global domain, whose language only the environment could choose): point it at ours."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        flag = lang_flag(argv)
        if flag == "":
            raise UnknownLanguage(f"--lang needs a language (choose from {', '.join(LANGUAGES)})")
        set_language(choose(flag))

    except UnknownLanguage as exc:
        print(f"solvereign: error: {exc}", file=sys.stderr)  # before any language is chosen: English
        return EXIT_BLOCKED
    speak_argparse()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "json", False) or args.command == "serve":
        set_language(DEFAULT)  # JSON and the HTTP API are for programs: language-neutral, whatever --lang says
    if not getattr(args, "func", None):
        args.func = tui.run  # no subcommand: open the cockpit
    try:
        check_mode(args)
        return int(args.func(args))
    except (UserError, StoreError) as exc:
        alerts.note_refusal(args, exc)  # a request for another tenant's or site's object is an S0 alert
        print(_("error: {message}").format(message=printable(said(exc))), file=sys.stderr)  # one line, whatever a file name held
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("error: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
