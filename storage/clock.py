"""Time at the storage boundary.

The store never reads the system clock on its own: a `Clock` is handed to the
`Store`, and the system clock is only the default picked at that edge. DuckDB
columns are naive `TIMESTAMP`s that always hold UTC; these helpers convert.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The default clock, used only when the caller passes none."""
    return datetime.now(UTC)


def to_db(moment: datetime) -> datetime:
    """An aware datetime → naive UTC for a TIMESTAMP column (naive input is refused)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the store's clock must return timezone-aware datetimes")
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_db(value: datetime | None) -> datetime | None:
    """A naive UTC TIMESTAMP read back → aware UTC datetime."""
    return None if value is None else value.replace(tzinfo=UTC)


def iso_utc(value: datetime) -> str:
    """One fixed textual form (microseconds, trailing Z) so hashes over timestamps are stable."""
    return to_db(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
