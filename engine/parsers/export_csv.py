"""Shape 4: the customer export — `;`-separated day sections, long or wide.

Long: a header row `<Tag>;Anzahl` then rows `HH:MM-HH:MM;<count>`.
Wide: one header row with the day column pairs side by side.
A row like `Feiertag;0` marks a day without tours (public holiday).
"""

from __future__ import annotations

from engine.models import DAY_CODES
from engine.parsers.common import LineError, RawForecast, RawTour, day_number

_NO_TOUR_WORDS = {"feiertag", "frei", "keine", "kein", "holiday", "-"}


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(";")]


def is_export_header(line: str) -> bool:
    cells = _cells(line)
    return len(cells) >= 2 and day_number(cells[0]) is not None and cells[1].lower() == "anzahl"


def parse_export_csv(text: str) -> RawForecast:
    raw = RawForecast(fmt="export", defaults_are_normal=True)
    lines = text.splitlines()
    header_idx = next((i for i, line in enumerate(lines) if line.strip(" ;")), None)
    if header_idx is not None and len(_day_columns(lines[header_idx])) > 1:
        _parse_wide(lines, header_idx, raw)
    else:
        _parse_long(lines, raw)
    return raw


def _day_columns(line: str) -> list[tuple[int, int]]:
    """(column index, day) for every `<Tag>;Anzahl` pair in a header row."""
    cells = _cells(line)
    return [
        (i, day)
        for i in range(0, len(cells) - 1, 2)
        if (day := day_number(cells[i])) is not None and cells[i + 1].lower() == "anzahl"
    ]


def _parse_long(lines: list[str], raw: RawForecast) -> None:
    day: int | None = None
    for line_no, line in enumerate(lines, start=1):
        if not line.strip(" ;\t"):
            continue
        if is_export_header(line):
            day = day_number(_cells(line)[0])
            continue
        cells = _cells(line)
        _add_row(raw, day, cells[0], cells[1] if len(cells) > 1 else "", line_no, f"line {line_no}")


def _parse_wide(lines: list[str], header_idx: int, raw: RawForecast) -> None:
    columns = _day_columns(lines[header_idx])
    for line_no, line in enumerate(lines[header_idx + 1 :], start=header_idx + 2):
        cells = _cells(line)
        for col, day in columns:
            label = cells[col] if col < len(cells) else ""
            count = cells[col + 1] if col + 1 < len(cells) else ""
            if label or count:
                _add_row(raw, day, label, count, line_no, f"line {line_no}, column {col + 1}")


def _add_row(raw: RawForecast, day: int | None, label: str, count: str, line_no: int, pos: str) -> None:
    if label.lower() in _NO_TOUR_WORDS and count in ("", "0"):
        if day is not None:
            raw.notes.append(f"{DAY_CODES[day - 1]}: {label} (no tours)")
        return
    if day is None:
        raw.line_errors.append(
            LineError("MISSING_DAY", line_no, pos, "row before any day header (expected '<Tag>;Anzahl' first)")
        )
        return
    start, sep, end = label.partition("-")
    if not sep:
        raw.line_errors.append(
            LineError("INVALID_TIME_RANGE", line_no, pos, f"{label!r} is not a time range HH:MM-HH:MM")
        )
        return
    raw.tours.append(
        RawTour(line=line_no, position=pos, day=day, start_time=start.strip(), end_time=end.strip(), count=count or None)
    )
