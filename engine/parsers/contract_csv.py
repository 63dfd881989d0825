"""Shape 2: the contract CSV; tenant, site and anchor come from options."""

from __future__ import annotations

import csv
import io

from engine.parsers.common import RawForecast, RawTour, UnreadableInput

HEADER = ("external_id", "day", "start_time", "end_time", "count", "depot", "skill", "priority", "lat", "lng", "notes")
REQUIRED = ("external_id", "day", "start_time", "end_time")


def parse_contract_csv(text: str) -> RawForecast:
    reader = csv.reader(io.StringIO(text))
    lines: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(c.strip() for c in row):
                lines.append((reader.line_num, row))
    except csv.Error as exc:
        raise UnreadableInput(f"contract CSV unreadable at line {reader.line_num}: {exc}") from None
    if not lines:
        raise UnreadableInput("file is empty")
    header_line, header = lines[0]
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise UnreadableInput(f"contract CSV header (line {header_line}) lacks column(s): {', '.join(missing)}")
    raw = RawForecast(fmt="csv")
    for line_no, row in lines[1:]:
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(names) if name in HEADER}
        raw.tours.append(
            RawTour(line=line_no, position=f"line {line_no}", **{k: (v if v != "" else None) for k, v in values.items()})
        )
    return raw
