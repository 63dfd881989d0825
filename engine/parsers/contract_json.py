"""Shape 1: the contract JSON document."""

from __future__ import annotations

import json
from typing import Any

from engine.parsers.common import BigNumber, RawForecast, RawTour, UnreadableInput

_TOUR_FIELDS = ("external_id", "day", "start_time", "end_time", "count", "depot", "skill", "priority", "lat", "lng", "notes")


def _int(text: str) -> int | str:
    """JSON integers longer than a count could ever be stay text (Python refuses > 4,300 digits)."""
    return BigNumber(text) if len(text) > 30 else int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are unique: a repeated key must not silently take the last value."""
    doc: dict[str, Any] = {}
    for key, value in pairs:
        if key in doc:
            raise UnreadableInput(f"duplicate JSON key {key[:40]!r} (each key may appear once per object)")
        doc[key] = value
    return doc


def parse_contract_json(text: str) -> RawForecast:
    try:
        doc = json.loads(text, parse_int=_int, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise UnreadableInput("invalid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise UnreadableInput("JSON forecast must be an object with tenant_code, site_code, week_anchor_date and tours")
    raw = RawForecast(
        fmt="json",
        tenant_code=doc.get("tenant_code"),
        site_code=doc.get("site_code"),
        week_anchor_date=doc.get("week_anchor_date"),
    )
    tours = doc.get("tours")
    if tours is None:
        tours = []
    if not isinstance(tours, list):
        raise UnreadableInput("'tours' must be a list")
    for index, item in enumerate(tours):
        position = f"tours[{index}]"
        if not isinstance(item, dict):
            raw.tours.append(RawTour(line=None, position=position))
            continue
        raw.tours.append(RawTour(line=None, position=position, **{k: item.get(k) for k in _TOUR_FIELDS}))
    drivers: Any = doc.get("drivers")
    if drivers is not None and not isinstance(drivers, list):
        raise UnreadableInput("'drivers' must be a list")
    raw.drivers = list(drivers or [])  # each entry is judged (with its index) when the forecast is built
    return raw
