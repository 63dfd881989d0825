"""Shape 3: German text lines as pasted from chat.

`<Day> <HH:MM>-<HH:MM>[ + <HH:MM>-<HH:MM>][ <n> Fahrer][ Depot <Name>][ notes]`
"""

from __future__ import annotations

import re

from engine.models import MINUTES_PER_DAY, at_or_after
from engine.parsers.common import (
    LineError,
    RawForecast,
    RawTour,
    day_number,
    parse_time,
    time_error_message,
)

_RANGE = re.compile(r"^(?P<a>[^\s+\-]+)\s*-\s*(?P<b>[^\s+\-]+)")
_SPLIT = re.compile(r"^\+\s*")
_COUNT = re.compile(r"(?P<n>[+-]?[0-9]+)(?:\s*(?:Fahrer|Driver)\b)?(?=\s|$)", re.IGNORECASE | re.ASCII)
_COUNTED = re.compile(r"(?P<n>\S+?)\s*(?:Fahrer|Driver)\b", re.IGNORECASE)  # "<something> Fahrer"
_DEPOT = re.compile(r"^Depot\s+(?P<d>\S+)", re.IGNORECASE)


def parse_text_lines(text: str) -> RawForecast:
    raw = RawForecast(fmt="text", defaults_are_normal=True)
    for line_no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        tour = _parse_line(stripped, line_no, raw.line_errors)
        if tour is not None:
            raw.tours.append(tour)
    return raw


def _parse_line(line: str, line_no: int, errors: list[LineError]) -> RawTour | None:
    """One line → a RawTour, or a LineError appended and None."""
    pos = f"line {line_no}"

    def fail(code: str, message: str, end_field: bool = False) -> None:
        errors.append(LineError(code, line_no, pos, message, end_field))

    first, _, rest = line.partition(" ")
    day = day_number(first)
    if day is None:
        fail("MISSING_DAY", f"line does not start with a day (Mo…So or Montag…Sonntag): {line[:40]!r}")
        return None
    rest = rest.strip()
    segments: list[tuple[str, str]] = []
    while True:
        m = _RANGE.match(rest)
        if not m:
            if segments:
                fail("INVALID_SPLIT_FORMAT", "'+' must be followed by a second range HH:MM-HH:MM")
            elif re.match(r"^\S+", rest) and parse_time(rest.split()[0])[0] is not None:
                fail("INVALID_TIME_RANGE", f"{rest.split()[0]!r} is a single time; expected a range HH:MM-HH:MM")
            else:
                token = rest.split()[0] if rest else ""
                fail("INVALID_TIME_FORMAT", f"expected a time range HH:MM-HH:MM after the day, got {token!r}")
            return None
        for text, is_end in ((m.group("a"), False), (m.group("b"), True)):
            _, code = parse_time(text)
            if code:
                what = "end time" if is_end else "start time"
                fail(code, time_error_message(code, text, what), end_field=is_end)
                return None
        segments.append((m.group("a"), m.group("b")))
        rest = rest[m.end():].strip()
        split = _SPLIT.match(rest)
        if not split:
            break
        if len(segments) == 2:
            fail("INVALID_SPLIT_FORMAT", "a split tour has exactly two ranges (A-B + C-D)")
            return None
        rest = rest[split.end():]
    if len(segments) == 2 and not _segments_ordered(segments):
        fail("INVALID_TIME_RANGE", "the second part of a split tour must start after the first part ends")
        return None
    count = None
    m = _COUNT.match(rest)
    if m:
        count = m.group("n")
        rest = rest[m.end():].strip()
    else:
        bad = _COUNTED.match(rest) or _number_like(rest)
        if bad:  # "2.5 Fahrer", "1e9 Fahrer", "abc Fahrer", "1_000", "３ Fahrer": never a silent default of 1
            token = bad.group("n") if isinstance(bad, re.Match) else bad
            fail("INVALID_COUNT", f"count {token[:40]!r} must be a whole number (ASCII digits) before 'Fahrer'")
            return None
    depot = None
    m = _DEPOT.match(rest)
    if m:
        depot = m.group("d")
        rest = rest[m.end():].strip()
    (start, end), extra = segments[0], segments[1:]
    if extra:
        end = extra[-1][1]
    return RawTour(
        line=line_no,
        position=pos,
        day=day,
        start_time=start,
        end_time=end,
        extra_segments=segments if extra else [],
        count=count,
        depot=depot,
        notes=rest or None,
    )


def _number_like(rest: str) -> str | None:
    """The first word when it starts like a number but is not a plain one (2.5, 1e9, 1_000, Unicode digits)."""
    word = rest.split()[0] if rest.split() else ""
    head = word.lstrip("+-")
    return word if head[:1].isdigit() or head[:1] in ".," and head[1:2].isdigit() else None


def _segments_ordered(segments: list[tuple[str, str]]) -> bool:
    """A split's parts must not overlap: walking the clock forward, C ≥ B (within one day)."""
    (a, b), (c, d) = ((parse_time(x)[0] or 0, parse_time(y)[0] or 0) for x, y in segments)
    first_len = at_or_after(a, b) - a  # each time after the one before it, across midnight if need be
    gap = at_or_after(b, c) - b
    second_len = at_or_after(c, d) - c
    return first_len + gap + second_len < MINUTES_PER_DAY and first_len > 0 and second_len > 0
