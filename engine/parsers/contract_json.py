"""Shape 1: the contract JSON document."""

from __future__ import annotations

import json
from typing import Any

from engine.parsers.common import RawForecast, RawTour, UnreadableInput

_TOUR_FIELDS = ("external_id", "day", "start_time", "end_time", "count", "depot", "skill", "priority", "lat", "lng", "notes")


def parse_contract_json(text: str) -> RawForecast:
    try:
        doc = json.loads(text)
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
    drivers: Any = doc.get("drivers") or []
    if isinstance(drivers, list):
        raw.drivers = [d for d in drivers if isinstance(d, dict)]
    return raw
