"""Typed errors of the store.

Each carries an `exit_code` hint (0/1/2 as in ARCHITECTURE.md) so the app can
turn any of them into its one-line `UserError` without a lookup table. The
storage layer must not import app/, hence the duplicated numbers.
"""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_BLOCKED = 2


class StoreError(Exception):
    """Base of every error the store raises on purpose."""

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StoreError):
    """The object does not exist *or* lies outside the caller's scope (indistinguishable on purpose).
    `kind`/`key` name what was asked for (a plan, a forecast), so a scope violation attempt can be alerted."""

    def __init__(self, message: str, *, kind: str | None = None, key: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


class Conflict(StoreError):
    """A uniqueness rule would be broken (e.g. a login that is already taken)."""


class StaleVersion(StoreError):
    """The plan changed since the caller read it; reload and decide again."""

    def __init__(self, plan_id: int, expected: int, actual: int) -> None:
        super().__init__(
            f"plan {plan_id} was changed by someone else (version {actual}, you had {expected}); reload and try again"
        )
        self.plan_id = plan_id
        self.expected = expected
        self.actual = actual


class IllegalTransition(StoreError):
    """The plan state machine (SPEC §6) does not allow this step from the current state."""

    exit_code = EXIT_BLOCKED

    def __init__(self, message: str, *, plan_id: int | None = None, state: str | None = None, action: str | None = None) -> None:
        super().__init__(message)
        self.plan_id = plan_id
        self.state = state
        self.action = action


class PlanLocked(IllegalTransition):
    """A LOCKED (or SUPERSEDED) plan is immutable."""


class TamperedPlan(StoreError):
    """The plan's stored rows or state disagree with its approval chain: no action may build on it."""

    exit_code = EXIT_BLOCKED


class LastAdmin(StoreError):
    """The change would leave a tenant without an active platform_admin."""

    exit_code = EXIT_BLOCKED


class ReadOnlyStore(StoreError):
    """A write was attempted on a store opened read-only."""

    exit_code = EXIT_BLOCKED


class StoreMissing(StoreError):
    """The store file does not exist (and read-only mode may not create it)."""


class SchemaTooNew(StoreError):
    """The file was written by a newer version of the program; refuse rather than guess."""


class SchemaTooOld(StoreError):
    """A read-only open found a file that needs a migration it may not run."""


class StoreBusy(StoreError):
    """Another process held the file for longer than the retry budget."""

    def __init__(self, path: str, waited_s: float, holder_pid: int | None, holder_program: str | None) -> None:
        holder = f"PID {holder_pid}" if holder_pid is not None else "another process"
        if holder_pid is not None and holder_program:
            holder += f" ({holder_program})"
        super().__init__(f"store {path} is busy: held by {holder} for more than {waited_s:.0f} s; try again shortly")
        self.path = path
        self.waited_s = waited_s
        self.holder_pid = holder_pid
        self.holder_program = holder_program


class InvalidInput(StoreError):
    """Data handed to the store is inconsistent (e.g. an assignment for an unknown instance)."""
