"""The freeze window (SPEC §7): an instance is frozen once `now ≥ start − horizon`.

The start is the tour's wall-clock start in Europe/Vienna turned into an instant, and the
horizon is real elapsed time before it (720 min by default, per site configurable), so across
a DST change a tour still freezes exactly 12 hours before it really starts. The boundary is
inclusive and started tours stay frozen. `now` comes from the caller's clock, never the system.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from engine.clock import instant_of
from engine.models import Instance

DEFAULT_HORIZON_MIN = 720
MAX_HORIZON_MIN = 7 * 1440


def freezes_at(anchor: date, inst: Instance, horizon_min: int = DEFAULT_HORIZON_MIN) -> datetime:
    """The instant from which `inst` keeps its driver (UTC)."""
    return instant_of(anchor, inst.start) - timedelta(minutes=horizon_min)


def is_frozen(anchor: date, inst: Instance, now: datetime, horizon_min: int = DEFAULT_HORIZON_MIN) -> bool:
    return now >= freezes_at(anchor, inst, horizon_min)


def frozen_ids(anchor: date, instances: Iterable[Instance], now: datetime, horizon_min: int = DEFAULT_HORIZON_MIN) -> frozenset[str]:
    return frozenset(i.id for i in instances if is_frozen(anchor, i, now, horizon_min))


def next_freeze(
    anchor: date, instances: Iterable[Instance], now: datetime, horizon_min: int = DEFAULT_HORIZON_MIN
) -> tuple[datetime, list[str]] | None:
    """When the next instances freeze and which ones (None when everything is frozen already)."""
    upcoming: dict[datetime, list[str]] = {}
    for inst in instances:
        at = freezes_at(anchor, inst, horizon_min)
        if at > now:
            upcoming.setdefault(at, []).append(inst.id)
    if not upcoming:
        return None
    first = min(upcoming)
    return first, sorted(upcoming[first])


def check_horizon(minutes: int) -> int:
    """A horizon is 0 … one week of minutes."""
    if not 0 <= minutes <= MAX_HORIZON_MIN:
        raise ValueError(f"freeze horizon {minutes} min is outside 0–{MAX_HORIZON_MIN}")
    return minutes
