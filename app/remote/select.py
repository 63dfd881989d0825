"""Local or remote, chosen once at start: `--api URL` (SOLVEREIGN_API, config `api`) sends the commands
that have a remote form to the server; the others are refused there rather than run on a local file."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.i18n import _
from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.settings import InsecureConfig, resolve_api

if TYPE_CHECKING:
    from app.remote.client import RemoteOps

ALL = None
# command → the actions (users add, drivers list…) it has remotely; ALL: every form of it
REMOTE: dict[str, frozenset[str] | None] = {
    "tui": ALL, "status": ALL, "list-runs": ALL, "show-run": ALL, "publish": ALL, "lock": ALL, "reject": ALL, "jobs": ALL,
    "import": ALL, "solve": ALL, "log": ALL, "audit": ALL, "repair": ALL, "undo": ALL, "evidence": ALL, "drill": ALL,
    "init": ALL, "kill-switch": ALL, "forecasts": ALL, "diff": ALL, "alerts": ALL,
    "edit": ALL, "pin": ALL, "unpin": ALL, "freeze": ALL, "notify": ALL, "gdpr": ALL, "handoff": ALL, "validate": ALL,
    "users": frozenset({"add", "list", "remove", "key"}), "sites": ALL, "drivers": ALL,
}
REMOTE_COMMANDS = frozenset(REMOTE)
# what works on the store's host only, whatever the server offers (exit 2)
LOCAL_ONLY = frozenset({"serve", "store", "worker", "queue", "demo", "retention", "runs"})


def _api(args: argparse.Namespace) -> tuple[str | None, str | None]:
    try:
        return resolve_api(getattr(args, "api", None))
    except InsecureConfig as exc:
        raise UserError(str(exc), EXIT_BLOCKED) from None
    except ValueError as exc:  # an unreadable config file, as in local mode
        raise UserError(str(exc), EXIT_FAILED) from None


def check_mode(args: argparse.Namespace) -> None:
    """Called once by the CLI before any command runs: in remote mode, refuse what has no remote form."""
    url, _x = _api(args)
    if url is None:
        return
    command = getattr(args, "command", None) or "tui"
    if command in LOCAL_ONLY:
        raise UserError(_("'{command}' works on the store's host only; run it there without --api").format(command=command),
                        EXIT_BLOCKED)
    actions = REMOTE.get(command, frozenset())
    action = getattr(args, command.replace("-", "_") + "_command", None)
    if actions is not ALL and action is not None and action not in actions:
        raise UserError(_("'{command} {action}' has no remote form yet; run it on the server's host").format(
            command=command, action=action), EXIT_FAILED)
    if command not in REMOTE_COMMANDS:
        raise UserError(_("'{command}' has no remote form yet; run it on the server's host (remote: {items})").format(command=command, items=', '.join(sorted(REMOTE_COMMANDS))), EXIT_FAILED)
    if getattr(args, "act_as", None) or getattr(args, "now", None):
        raise UserError(_("--as and --now do not apply in remote mode: the API key is the identity, the server keeps the clock"),
                        EXIT_BLOCKED)


def remote_from_args(args: argparse.Namespace, *, interactive: bool = False) -> RemoteOps | None:
    """The server client when remote mode is on (None: use the local store); `interactive`: the
    cockpit's shorter timeouts."""
    url, key = _api(args)
    if url is None:
        return None
    from app.remote.client import INTERACTIVE_TIMEOUT, TIMEOUT, RemoteOps  # httpx loads only in remote mode

    return RemoteOps(url, key, timeout=INTERACTIVE_TIMEOUT if interactive else TIMEOUT)
