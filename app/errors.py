"""Errors a user can cause: each ends in one line and a documented exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # not found, invalid input (validate: WARN)
EXIT_BLOCKED = 2  # blocked by a gate (validate: FAIL)


class UserError(Exception):
    """A refusal or bad input; the CLI prints `error: <message>` and exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class NotAUser(UserError):
    """The OS login is not (or no longer) a user of this store: only an admin can help."""

    def __init__(self, login: str, message: str, exit_code: int = EXIT_BLOCKED) -> None:
        super().__init__(message, exit_code)
        self.login = login


class Unreachable(UserError):
    """The server of remote mode did not answer (after the retries): the cockpit shows a banner
    and keeps trying; the CLI exits 1."""


def said(exc: BaseException) -> str:
    """An error as a person reads it, in the current language: the store's errors that carry their
    facts (a lost race, a busy file) are worded here; any other by its own message."""
    from app.i18n import _
    from storage.errors import StaleVersion, StoreBusy

    if isinstance(exc, StaleVersion):
        return _("plan {id} was changed by someone else (version {actual}, you had {expected}); reload and try again").format(
            id=exc.plan_id, actual=exc.actual, expected=exc.expected)
    if isinstance(exc, StoreBusy):
        holder = _("another process") if exc.holder_pid is None else f"PID {exc.holder_pid}" + (
            f" ({exc.holder_program})" if exc.holder_program else "")
        return _("store {path} is busy: held by {holder} for more than {seconds} s; try again shortly").format(
            path=exc.path, holder=holder, seconds=f"{exc.waited_s:.0f}")
    return str(getattr(exc, "message", exc))
