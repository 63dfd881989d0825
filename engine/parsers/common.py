"""What every parser shares: the raw row, time and day tokens, whole-file failures.

Parsers do not judge; they turn text into `RawTour` rows (values as given, with
their line and position) plus line-level findings with stable codes. The import
contract (`engine.contract`) judges the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.models import DAY_CODES, DAY_NAMES

# Stable line-level error codes and the hard gate each one fails.
CODE_GATE = {
    "MISSING_DAY": "HG-006",
    "INVALID_DAY": "HG-006",
    "INVALID_COUNT": "HG-006",
    "COUNT_TOO_LARGE": "HG-006",
    "INVALID_TIME_FORMAT": "HG-007",
    "INVALID_HOUR": "HG-007",
    "INVALID_MINUTE": "HG-007",
    "INVALID_TIME_RANGE": "HG-008",
    "INVALID_SPLIT_FORMAT": "HG-008",
}

_DAY_TOKENS = {c.lower(): i + 1 for i, c in enumerate(DAY_CODES)} | {
    n.lower(): i + 1 for i, n in enumerate(DAY_NAMES)
}
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)  # ASCII digits only: "٠٦:٠٠" is not a time


class BigNumber(str):
    """A JSON integer too long to convert (Python refuses > 4,300 digits): kept as its text."""


class UnreadableInput(Exception):
    """The file cannot be read as a forecast at all (empty, binary, encoding, shape)."""


@dataclass(slots=True)
class LineError:
    """A problem the parser found on one line, before any gate ran."""

    code: str
    line: int
    position: str
    message: str
    end_field: bool = False  # a time error on an end time fails HG-008, not HG-007

    @property
    def gate(self) -> str:
        if self.end_field and self.code in ("INVALID_TIME_FORMAT", "INVALID_HOUR", "INVALID_MINUTE"):
            return "HG-008"
        return CODE_GATE[self.code]


@dataclass(slots=True)
class RawTour:
    """One tour line as given. `None` means the field was absent."""

    line: int | None
    position: str
    external_id: Any = None
    day: Any = None
    start_time: Any = None
    end_time: Any = None
    extra_segments: list[tuple[str, str]] = field(default_factory=list)
    count: Any = None
    depot: Any = None
    skill: Any = None
    priority: Any = None
    lat: Any = None
    lng: Any = None
    notes: Any = None


@dataclass(slots=True)
class RawForecast:
    """A parsed file: header values (maybe missing) and its tour rows."""

    fmt: str
    tenant_code: Any = None
    site_code: Any = None
    week_anchor_date: Any = None
    tours: list[RawTour] = field(default_factory=list)
    line_errors: list[LineError] = field(default_factory=list)
    drivers: list[Any] = field(default_factory=list)
    defaults_are_normal: bool = False  # text/export carry no count/depot/skill fields
    notes: list[str] = field(default_factory=list)

    def apply_options(self, tenant: str | None, site: str | None, anchor: date | str | None) -> list[str]:
        """Options fill what the file does not carry itself; an option that contradicts the file
        is not applied and comes back as a one-line conflict naming both values."""
        conflicts = []
        for field_name, option, value in (
            ("tenant_code", "--tenant", tenant), ("site_code", "--site", site),
            ("week_anchor_date", "--anchor", anchor.isoformat() if isinstance(anchor, date) else anchor),
        ):
            if not value:
                continue
            own = getattr(self, field_name)
            if own in (None, ""):
                setattr(self, field_name, value)
            elif str(own) != str(value):
                conflicts.append(f"{option} {value} contradicts the file's {field_name} {own}")
        return conflicts


def day_number(token: str) -> int | None:
    """Mo/Di/…/So or Montag…Sonntag (any case, trailing ':' or '.' allowed) → 1..7."""
    return _DAY_TOKENS.get(token.strip().rstrip(":.,").lower())


def parse_time(text: str) -> tuple[int | None, str | None]:
    """`H:MM` / `HH:MM` in 00:00–23:59 → (minutes, None), else (None, error code)."""
    m = _TIME_RE.fullmatch(text.strip())
    if not m:
        return None, "INVALID_TIME_FORMAT"
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23:
        return None, "INVALID_HOUR"
    if minute > 59:
        return None, "INVALID_MINUTE"
    return hour * 60 + minute, None


def time_error_message(code: str, text: str, what: str) -> str:
    return {
        "INVALID_TIME_FORMAT": f"{what} {text!r} is not a time (expected HH:MM)",
        "INVALID_HOUR": f"{what} {text!r} has an hour outside 00–23",
        "INVALID_MINUTE": f"{what} {text!r} has a minute outside 00–59",
    }[code]


def hhmm_token(minutes: int) -> str:
    return f"{minutes // 60:02d}{minutes % 60:02d}"
