"""The import contract of SPEC §2.1: hard gates HG-001..HG-008, soft gates SG-001..SG-006.

`check(raw)` judges a parsed file and returns the report plus the valid tour
templates; nothing is expanded or stored for a FAIL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from engine.clock import FIRST_YEAR, LAST_YEAR, in_range
from engine.models import CODE_PATTERN, at_or_after
from engine.parsers.common import BigNumber, RawForecast, RawTour, parse_time, time_error_message

Status = Literal["PASS", "WARN", "FAIL"]
MAX_ROWS_SHOWN = 10
SIXTEEN_HOURS = 16 * 60

TEXT_COUNT_LIMIT = 10  # a pasted "50 Fahrer" is more often a typo for 5 (the previous system warned too)
GATES: dict[str, tuple[str, str]] = {
    "HG-001": ("FAIL", "tenant_code present and matches ^[a-z][a-z0-9_]{2,30}$"),
    "HG-002": ("FAIL", "site_code present and matches ^[a-z][a-z0-9_]{2,30}$"),
    "HG-003": ("FAIL", "week_anchor_date present, a real date, a Monday"),
    "HG-004": ("FAIL", "at least one tour"),
    "HG-005": ("FAIL", "every tour has a unique external_id"),
    "HG-006": ("FAIL", "every day is an integer 1–7 and every count an integer ≥ 1"),  # rows name the limits
    "HG-007": ("FAIL", "every start_time is a valid time"),
    "HG-008": ("FAIL", "every end_time is a valid time"),
    "SG-001": ("WARN", "count missing (defaulted to 1)"),
    "SG-002": ("WARN", "depot missing (defaulted)"),
    "SG-003": ("WARN", "skill missing (defaulted)"),
    "SG-004": ("WARN", "duration over 16 h, or a zero-length tour"),
    "SG-005": ("WARN", "coordinates outside Austria or only one of lat/lng"),
    "SG-006": ("WARN", f"text lines: a count above {TEXT_COUNT_LIMIT} on one line (a likely typo)"),
}


class FindingRow(BaseModel):
    line: int | None = None
    position: str
    code: str
    message: str


class GateResult(BaseModel):
    id: str
    status: Status
    count: int
    message: str
    rows: list[FindingRow] = Field(default_factory=list)


class Summary(BaseModel):
    format: str = ""
    templates: int = 0
    instances: int = 0
    total_hours: float = 0.0
    per_day: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class ValidationReport(BaseModel):
    status: Status
    input_hash: str | None = None
    error: str | None = None
    gates: list[GateResult]
    summary: Summary = Field(default_factory=Summary)

    def gate(self, gate_id: str) -> GateResult:
        return next(g for g in self.gates if g.id == gate_id)

    def one_line(self) -> str:
        """The shortest honest reason for this status."""
        if self.error:
            return self.error
        failing = [g for g in self.gates if g.status != "PASS"]
        if not failing:
            return f"PASS: {self.summary.instances} instances, {self.summary.total_hours:g} h"
        first = failing[0]
        where = f" ({first.rows[0].position}: {first.rows[0].message})" if first.rows else ""
        return f"{self.status}: {first.id} {first.message}{where}"


@dataclass(frozen=True, slots=True)
class TourTemplate:
    """A valid tour line: local minutes, count, defaults filled in."""

    external_id: str
    day: int
    segments: tuple[tuple[int, int], ...]  # minutes after the day's midnight; ends may pass 1440
    count: int
    depot: str
    skill: str
    priority: int


class _Findings:
    def __init__(self) -> None:
        self.by_gate: dict[str, list[FindingRow]] = {g: [] for g in GATES}

    def add(self, gate: str, position: str, code: str, message: str, line: int | None = None) -> None:
        self.by_gate[gate].append(FindingRow(line=line, position=position, code=code, message=message))

    def gate_results(self) -> list[GateResult]:
        results = []
        for gate_id, (severity, text) in GATES.items():
            rows = self.by_gate[gate_id]
            results.append(
                GateResult(
                    id=gate_id,
                    status=severity if rows else "PASS",  # type: ignore[arg-type]
                    count=len(rows),
                    message=text,
                    rows=rows[:MAX_ROWS_SHOWN],
                )
            )
        return results


def failed_report(reason: str) -> ValidationReport:
    """The report for a file that could not be read at all: FAIL, every gate listed."""
    findings = _Findings()
    findings.add("HG-004", "file", "UNREADABLE", reason)
    return ValidationReport(status="FAIL", error=reason, gates=findings.gate_results())


def check(raw: RawForecast) -> tuple[ValidationReport, list[TourTemplate], date | None]:
    """Run every gate over a parsed file; returns the report, the valid templates and the anchor."""
    f = _Findings()
    _check_code(f, "HG-001", "tenant_code", raw.tenant_code, "--tenant")
    _check_code(f, "HG-002", "site_code", raw.site_code, "--site")
    anchor = _check_anchor(f, raw.week_anchor_date)
    for err in raw.line_errors:
        f.add(err.gate, err.position, err.code, err.message, err.line)
    if not raw.tours and not raw.line_errors:
        f.add("HG-004", "file", "NO_TOURS", "the file contains no tours")
    templates = [t for tour in raw.tours if (t := _check_tour(f, tour, raw.defaults_are_normal)) is not None]
    if not raw.defaults_are_normal:
        _check_unique_ids(f, raw.tours)
    total = sum(t.count for t in templates)
    if total > MAX_INSTANCES:
        f.add("HG-006", "file", "TOO_MANY_INSTANCES",
              f"the forecast would expand to {total:,} instances, over the limit of {MAX_INSTANCES:,}")
    if raw.fmt == "text":
        _check_text_counts(f, raw.tours)
    results = f.gate_results()
    if any(g.status == "FAIL" for g in results):
        status: Status = "FAIL"
    elif any(g.status == "WARN" for g in results):
        status = "WARN"
    else:
        status = "PASS"
    report = ValidationReport(status=status, gates=results, summary=Summary(format=raw.fmt, notes=raw.notes))
    return report, templates, anchor


def _check_code(f: _Findings, gate: str, name: str, value: Any, option: str) -> None:
    if value in (None, ""):
        f.add(gate, name, "MISSING", f"{name} missing (give it in the file or with {option})")
    elif not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        f.add(gate, name, "INVALID", f"{name} {str(value)[:40]!r} must match ^[a-z][a-z0-9_]{{2,30}}$")


def _check_anchor(f: _Findings, value: Any) -> date | None:
    if value in (None, ""):
        f.add("HG-003", "week_anchor_date", "MISSING", "week_anchor_date missing (give it in the file or with --anchor)")
        return None
    try:
        anchor = date.fromisoformat(str(value)) if not isinstance(value, date) else value
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            raise ValueError
    except ValueError:
        f.add("HG-003", "week_anchor_date", "INVALID_DATE", f"{str(value)[:20]!r} is not a date YYYY-MM-DD")
        return None
    if not in_range(anchor):
        f.add("HG-003", "week_anchor_date", "OUT_OF_RANGE", f"{anchor.isoformat()} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
        return None
    if anchor.weekday() != 0:
        f.add("HG-003", "week_anchor_date", "NOT_MONDAY", f"{anchor.isoformat()} is a {anchor.strftime('%A')}, not a Monday")
        return None
    return anchor


MAX_COUNT = 1_000  # instances one line may ask for
MAX_INSTANCES = 50_000  # instances one forecast may expand to (checked before expanding)
_ASCII_INT = re.compile(r"\s*[+-]?[0-9]{1,9}\s*", re.ASCII)
_DIGITS = re.compile(r"\s*\+?[0-9]+\s*", re.ASCII)


def _as_int(value: Any) -> int | None:
    """An integer, or an integral string of ASCII digits; bools and floats with fractions are not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and not isinstance(value, BigNumber) and _ASCII_INT.fullmatch(value):
        return int(value)
    return None


def _count(value: Any) -> tuple[int | None, str, str]:
    """(count, code, message): a whole number 1..MAX_COUNT, or why not (too large is said as such)."""
    shown = _shown(value)
    too_large = (None, "COUNT_TOO_LARGE", f"count {shown} is over the limit of {MAX_COUNT:,} per line")
    if isinstance(value, BigNumber) or (isinstance(value, str) and _DIGITS.fullmatch(value) and len(value.strip()) > 9):
        return too_large
    if isinstance(value, float) and value.is_integer() and value > MAX_COUNT:
        return too_large
    parsed = _as_int(value)
    if parsed is None or parsed < 1:
        return None, "INVALID_COUNT", f"count {shown} must be a whole number ≥ 1"
    if parsed > MAX_COUNT:
        return too_large
    return parsed, "", ""


def _shown(value: Any) -> str:
    """A value for a message: quoted, at most 40 characters."""
    text = str(value)
    return repr(text[:37] + "…" if len(text) > 40 else text) if isinstance(value, str) else (text[:37] + "…" if len(text) > 40 else text)


def _check_text_counts(f: _Findings, tours: list[RawTour]) -> None:
    """SG-006: a chat line asking for more than TEXT_COUNT_LIMIT drivers."""
    for t in tours:
        count = _as_int(t.count) if t.count is not None else None
        if count is not None and count > TEXT_COUNT_LIMIT:
            f.add("SG-006", t.position, "HIGH_COUNT",
                  f"{count} drivers on one line (over {TEXT_COUNT_LIMIT}: check it is not a typo)", t.line)


def _check_tour(f: _Findings, t: RawTour, defaults_normal: bool) -> TourTemplate | None:
    ok = True
    pos, line = t.position, t.line
    day = _as_int(t.day)
    if day is None or not 1 <= day <= 7:
        f.add("HG-006", pos, "INVALID_DAY", f"day {_shown(t.day)} must be an integer 1–7", line)
        ok = False
    count = 1
    if t.count is None:
        if not defaults_normal:
            f.add("SG-001", pos, "COUNT_DEFAULTED", "count missing, defaulted to 1", line)
    else:
        parsed, code, message = _count(t.count)
        if parsed is None:
            f.add("HG-006", pos, code, message, line)
            ok = False
        else:
            count = parsed
    start = _check_time(f, "HG-007", t.start_time, "start_time", pos, line)
    end = _check_time(f, "HG-008", t.end_time, "end_time", pos, line)
    priority = 5
    if t.priority is not None:
        p = _as_int(t.priority)
        if p is None or not 1 <= p <= 10:
            f.add("HG-006", pos, "INVALID_PRIORITY", f"priority {_shown(t.priority)} must be an integer 1–10", line)
            ok = False
        else:
            priority = p
    if not defaults_normal:
        if t.depot in (None, ""):
            f.add("SG-002", pos, "DEPOT_DEFAULTED", "depot missing, defaulted to 'default'", line)
        if t.skill in (None, ""):
            f.add("SG-003", pos, "SKILL_DEFAULTED", "skill missing, defaulted to 'standard'", line)
    _check_coordinates(f, t, pos, line)
    if not ok or start is None or end is None:
        return None
    segments = _segments(t, start, end)
    duration = segments[-1][1] - segments[0][0]
    if duration == 0:
        f.add("SG-004", pos, "ZERO_LENGTH", "start equals end: zero-length tour", line)
    elif duration > SIXTEEN_HOURS:
        f.add("SG-004", pos, "OVER_16H", f"duration {duration / 60:.1f} h is over 16 h", line)
    external_id = str(t.external_id) if t.external_id not in (None, "") else ""
    return TourTemplate(
        external_id=external_id,
        day=day,  # type: ignore[arg-type]
        segments=segments,
        count=count,
        depot=str(t.depot) if t.depot not in (None, "") else "default",
        skill=str(t.skill) if t.skill not in (None, "") else "standard",
        priority=priority,
    )


def _check_time(f: _Findings, gate: str, value: Any, name: str, pos: str, line: int | None) -> int | None:
    if value in (None, ""):
        f.add(gate, pos, "MISSING_TIME", f"{name} missing", line)
        return None
    minutes, code = parse_time(str(value)) if isinstance(value, str) else (None, "INVALID_TIME_FORMAT")
    if code:
        f.add(gate, pos, code, time_error_message(code, str(value)[:20], name), line)
    return minutes


def _segments(t: RawTour, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """Local minutes walking the clock forward: a time before its predecessor is the next day."""
    if t.extra_segments:
        points = [parse_time(x)[0] or 0 for pair in t.extra_segments for x in pair]
    else:
        points = [start, end]
    walked = [points[0]]
    for p in points[1:]:
        walked.append(at_or_after(walked[-1], p))
    return tuple((walked[i], walked[i + 1]) for i in range(0, len(walked), 2))


def _check_coordinates(f: _Findings, t: RawTour, pos: str, line: int | None) -> None:
    if t.lat is None and t.lng is None:
        return
    if (t.lat is None) != (t.lng is None):
        f.add("SG-005", pos, "HALF_COORDINATES", "only one of lat/lng given", line)
        return
    try:
        lat, lng = float(t.lat), float(t.lng)
    except (TypeError, ValueError):
        f.add("SG-005", pos, "BAD_COORDINATES", f"lat/lng {t.lat!r},{t.lng!r} are not numbers", line)
        return
    if not (46.3 <= lat <= 49.1 and 9.5 <= lng <= 17.2):
        f.add("SG-005", pos, "OUTSIDE_AUSTRIA", f"({lat}, {lng}) is outside Austria", line)


def _check_unique_ids(f: _Findings, tours: list[RawTour]) -> None:
    ids = [str(t.external_id) if t.external_id not in (None, "") else None for t in tours]
    seen: dict[str, str] = {}
    for tour, ext in zip(tours, ids):
        if ext is None:
            f.add("HG-005", tour.position, "MISSING_ID", "external_id missing", tour.line)
        elif len(ext) > 100:
            f.add("HG-005", tour.position, "ID_TOO_LONG", "external_id longer than 100 characters", tour.line)
        elif ext in seen:
            f.add("HG-005", tour.position, "DUPLICATE_ID", f"external_id {ext!r} also at {seen[ext]}", tour.line)
        else:
            seen[ext] = tour.position
