"""Driver roster files (bytes in → `DriverSpec`s out) and the merge a solve sees.

Two shapes, told apart by the first character that is not blank:

* CSV, comma-separated, a header naming any of `COLUMNS` (`external_id` is required, the
  order is free). `skills` and `unavailable_days` hold several values in one cell, split by
  `;` or `|` (e.g. `standard;cooling`, `6|7`); days are 1–7 or Mo…So. An empty cell takes
  the default. Blank lines and lines starting with `#` are skipped.
* JSON: a list of driver objects, or `{"drivers": [...]}` (the forecast's own field names).

The rules themselves live in `engine.models.DriverSpec`; this module only reads the file
and says where each problem is. Any problem rejects the whole file (`RosterError`), so
nothing is ever half-imported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from engine.models import DriverSpec
from engine.parsers.common import day_number

COLUMNS = (
    "external_id", "name", "contract_type", "max_hours_week", "skills", "depot", "unavailable_days",
    "email", "phone", "preferred_channel",
)
LIST_COLUMNS = ("skills", "unavailable_days")
MAX_DRIVERS = 10_000
MAX_SHOWN = 20  # problems kept in the exception's one-line text and reports
_SPLIT = re.compile(r"[;|]")


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """One problem: `where` is "line 4" (CSV), "drivers[3]" (JSON) or "file"."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class RosterError(Exception):
    """The file is rejected as a whole; `problems` lists every problem found (in file order)."""

    def __init__(self, problems: Sequence[RosterProblem]) -> None:
        self.problems = list(problems)
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{self.problems[0]}{more}")


def parse_roster(data: bytes) -> list[DriverSpec]:
    """Every driver of a roster file, in file order; raises `RosterError` (and nothing else) on any problem."""
    text = _decode(data)
    stripped = text.lstrip()
    rows = _json_rows(stripped) if stripped.startswith(("[", "{")) else _csv_rows(text)
    if not rows:
        raise RosterError([RosterProblem("file", "no drivers in the file")])
    if len(rows) > MAX_DRIVERS:
        raise RosterError([RosterProblem("file", f"{len(rows)} drivers; at most {MAX_DRIVERS} per file")])
    return specs_from_rows(rows)


def specs_from_rows(rows: Iterable[tuple[str, dict[str, Any]]]) -> list[DriverSpec]:
    """Validate `(where, fields)` rows into specs; duplicate ids name both places. Raises `RosterError`."""
    problems: list[RosterProblem] = []
    specs: list[DriverSpec] = []
    seen: dict[str, str] = {}
    for where, fields in rows:
        try:
            spec = DriverSpec.model_validate(fields)
        except ValidationError as exc:
            problems.extend(RosterProblem(where, _message(err)) for err in exc.errors())
            continue
        first = seen.setdefault(spec.external_id, where)
        if first != where:
            problems.append(RosterProblem(where, f"external_id {_show(spec.external_id)} also at {first}"))
            continue
        specs.append(spec)
    if problems:
        raise RosterError(problems)
    return specs


def merge_drivers(roster: Sequence[DriverSpec], forecast_drivers: Sequence[DriverSpec]) -> list[DriverSpec]:
    """The drivers a solve plans with: the site's roster, each id overridden by the forecast's own entry
    (the forecast wins for its week); sorted by external_id so the result does not depend on order."""
    merged = {d.external_id: d for d in roster}
    merged.update({d.external_id: d for d in forecast_drivers})
    return [merged[k] for k in sorted(merged)]


# --- reading ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if not data.strip():
        raise RosterError([RosterProblem("file", "file is empty")])
    if b"\x00" in data:
        raise RosterError([RosterProblem("file", "file is binary (contains NUL bytes), not a roster")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError([RosterProblem("file", f"file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})")]) from None


def _json_rows(text: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        doc = json.loads(text)
    except RecursionError:
        raise RosterError([RosterProblem("file", "JSON is nested too deeply")]) from None
    except json.JSONDecodeError as exc:
        raise RosterError([RosterProblem(f"line {exc.lineno}", f"not valid JSON: {exc.msg}")]) from None
    except ValueError:  # an integer literal longer than Python converts
        raise RosterError([RosterProblem("file", "not valid JSON: a number is too long")]) from None
    items = doc.get("drivers") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise RosterError([RosterProblem("file", 'expected a list of drivers or {"drivers": [...]}')])
    rows: list[tuple[str, dict[str, Any]]] = []
    problems: list[RosterProblem] = []
    for n, item in enumerate(items):
        where = f"drivers[{n}]"
        if not isinstance(item, dict):
            problems.append(RosterProblem(where, "is not an object"))
            continue
        unknown = sorted(str(k) for k in item if k not in COLUMNS)
        if unknown:
            problems.append(RosterProblem(where, f"unknown field {_show(unknown[0])} (known: {', '.join(COLUMNS)})"))
            continue
        rows.append((where, item))
    if problems:
        raise RosterError(problems)
    return rows


def _csv_rows(text: str) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[str, dict[str, Any]]] = []
    problems: list[RosterProblem] = []
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = _header(cells, start)
                continue
            if len(cells) != len(header):
                problems.append(RosterProblem(f"line {start}", f"{len(cells)} cells, the header has {len(header)}"))
                continue
            rows.append((f"line {start}", _csv_fields(header, cells)))
    except csv.Error as exc:
        raise RosterError([RosterProblem(f"line {reader.line_num}", f"unreadable CSV: {exc}")]) from None
    if header is None:
        raise RosterError([RosterProblem("file", "no header line (expected " + ",".join(COLUMNS) + ")")])
    if problems:
        raise RosterError(problems)
    return rows


def _header(cells: list[str], line: int) -> list[str]:
    names = [c.strip().lower() for c in cells]
    for name in names:
        if name not in COLUMNS:
            raise RosterError([RosterProblem(f"line {line}", f"unknown column {_show(name)} (known: {', '.join(COLUMNS)})")])
    doubled = next((n for n in names if names.count(n) > 1), None)
    if doubled:
        raise RosterError([RosterProblem(f"line {line}", f"column {doubled} appears twice")])
    if "external_id" not in names:
        raise RosterError([RosterProblem(f"line {line}", "the header needs an external_id column")])
    return names


def _csv_fields(header: list[str], cells: list[str]) -> dict[str, Any]:
    """Cells as the model's fields: empty cells left out (defaults), lists split, day codes to numbers."""
    fields: dict[str, Any] = {}
    for name, raw in zip(header, cells):
        value = raw.strip()
        if not value:
            continue
        if name in LIST_COLUMNS:
            parts = [p.strip() for p in _SPLIT.split(value) if p.strip()]
            fields[name] = [_day(p) for p in parts] if name == "unavailable_days" else parts
        else:
            fields[name] = value
    return fields


def _day(token: str) -> int | str:
    """`6` or `Sa` → 6; anything else stays text, so the model names it."""
    number = day_number(token)
    return number if number is not None else token


# --- messages --------------------------------------------------------------------------------


def _message(err: Any) -> str:
    """A pydantic error as a dispatcher reads it: "max_hours_week 60 is above 55"."""
    loc = err.get("loc") or ()
    field = str(loc[0]) if loc else "driver"
    value = _show(err.get("input"))
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    if not loc:  # a rule across fields (the model's own words)
        return str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if kind == "missing":
        return f"{field} missing"
    if kind == "less_than_equal":
        return f"{field} {value} is above {ctx.get('le'):g}"
    if kind == "greater_than":
        return f"{field} {value} must be above {ctx.get('gt'):g}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{field} {value} is not a number"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{field} {value} is not a day 1–7 (or Mo…So)" if field == "unavailable_days" else f"{field} {value} is not a whole number"
    if kind == "literal_error":
        return f"{field} {value} must be one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"{field} {value} is not " + ("an email address" if field == "email" else "a phone number")
    if kind == "string_too_short":
        return f"{field} is empty"
    if kind == "string_too_long":
        return f"{field} is longer than {ctx.get('max_length')} characters"
    if kind == "string_type":
        return f"{field} {value} must be text"
    if kind in ("tuple_type", "list_type"):
        return f"{field} {value} must be a list"
    if kind == "value_error":
        return f"{field}: {str(err.get('msg', '')).removeprefix('Value error, ')}"
    return f"{field}: {err.get('msg', 'invalid')}"


def _show(value: Any) -> str:
    """A value for a message: short, and safe for anything a file can hold."""
    try:
        plain = isinstance(value, (int, float)) and not isinstance(value, bool)
        plain = plain or (isinstance(value, str) and re.fullmatch(r"[+-]?\d+(\.\d+)?", value) is not None)
        text = str(value) if plain else repr(value)
    except ValueError:  # an integer too long to print
        return "a very long number"
    return text if len(text) <= 40 else text[:37] + "..."
