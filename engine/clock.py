"""Time at the edges: an injectable clock and Europe/Vienna conversions (SPEC §3).

The engine works in minutes from the anchor Monday 00:00 local time; wall-clock
instants (lock window, freeze) convert through the Vienna zone, DST included.
Nothing calls the system clock except `SystemClock`, which callers pass in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

ZONE_NAME = "Europe/Vienna"  # the sites' local time: every time a person reads is in it
VIENNA = ZoneInfo(ZONE_NAME)


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that always says the same instant (drills, tests, `--now`)."""

    def __init__(self, instant: datetime) -> None:
        self._instant = instant if instant.tzinfo else instant.replace(tzinfo=VIENNA)

    def now(self) -> datetime:
        return self._instant


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the dates the program accepts at its doors (clock, anchors, --week)


def in_range(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def parse_now(text: str) -> FixedClock:
    """`--now` / SOLVEREIGN_NOW: ISO 8601; without an offset it is Vienna local time; years 2000–2100."""
    try:
        clock = FixedClock(datetime.fromisoformat(text.strip()))
        local = clock.now().astimezone(UTC)  # an offset far from UTC may overflow year 9999
    except (ValueError, OverflowError):
        raise ValueError(f"--now {text[:40]!r} is not an ISO date-time (e.g. 2026-01-04T17:00)") from None
    if not (in_range(clock.now().date()) and in_range(local.date())):
        raise ValueError(f"--now {text[:40]!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return clock


def next_week_anchor(clock: Clock) -> date:
    """The Monday after today in Vienna: where a new forecast (and the demo week) lands by default."""
    today = clock.now().astimezone(VIENNA).date()
    return today + timedelta(days=7 - today.weekday())


def instant_of(anchor: date, minute: int) -> datetime:
    """Minutes from the anchor Monday 00:00 Vienna → an aware instant (local wall clock)."""
    day, rest = divmod(minute, 1440)
    local = datetime.combine(anchor + timedelta(days=day), time(rest // 60, rest % 60), tzinfo=VIENNA)
    return local.astimezone(UTC)


def minute_of(anchor: date, instant: datetime) -> int:
    """An aware instant → minutes from the anchor Monday 00:00 on the Vienna wall clock."""
    local = instant.astimezone(VIENNA)
    days = (local.date() - anchor).days
    return days * 1440 + local.hour * 60 + local.minute
