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
