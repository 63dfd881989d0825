"""A driver's week as a message: a short text and an iCalendar file (one event per tour).

Pure: instances, assignments and the week's anchor in, text and .ics bytes out. Deterministic
(the calendar's DTSTAMP is the plan's lock time, never the wall clock), so a message can be built
again after a crash and carries the same content and idempotency key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from engine.clock import instant_of
from engine.models import DAY_CODES, Instance, canonical_dumps, fmt_hhmm


@dataclass(frozen=True)
class DriverMessage:
    driver_id: str
    subject: str
    text: str
    ics: bytes
    week_digest: str  # what a repair compares: the driver's tours (id, times, depot)


def tours_of(driver_id: str, instances: Sequence[Instance], assignments: Mapping[str, str]) -> list[Instance]:
    return sorted((i for i in instances if assignments.get(i.id) == driver_id), key=lambda i: (i.start, i.id))


def week_digest(tours: Sequence[Instance]) -> str:
    doc = [[i.id, [list(s) for s in i.segments], i.depot] for i in tours]
    return hashlib.sha256(canonical_dumps(doc).encode()).hexdigest()


def _line(anchor: date, i: Instance) -> str:
    day = anchor + timedelta(days=i.day - 1)
    times = " + ".join(f"{fmt_hhmm(a)}–{fmt_hhmm(b)}" for a, b in i.segments)
    brk = f" (split break {fmt_hhmm(i.segments[0][1])}–{fmt_hhmm(i.segments[1][0])})" if i.is_split else ""
    return f"{DAY_CODES[i.day - 1]} {day.isoformat()}  {times}  depot {i.depot}{brk}"


def render(
    *, driver_id: str, site: str, anchor: date, plan_id: int, version: int, tours: Sequence[Instance],
    stamp: datetime, changed: bool = False,
) -> DriverMessage:
    """The message of one driver's week; `changed`: an update after a repair (says so)."""
    head = f"Your week of {anchor.isoformat()} at {site}"
    subject = f"{head} (updated, version {version})" if changed else head
    lines = [f"{subject}:"] + ([_line(anchor, i) for i in tours] or ["no tours this week"])
    if changed:
        lines.append("This replaces the schedule you had before.")
    lines.append(f"(plan {plan_id}, version {version})")
    cal = Calendar()
    cal.add("prodid", "-//solvereign//roster cockpit//EN")
    cal.add("version", "2.0")
    for i in tours:
        event = Event()
        event.add("uid", f"{site}-{anchor.isoformat()}-{i.id}@solvereign")
        event.add("dtstamp", stamp)
        event.add("dtstart", instant_of(anchor, i.start))
        event.add("dtend", instant_of(anchor, i.end))
        event.add("summary", f"Tour {i.external_id}" + (" (split)" if i.is_split else ""))
        event.add("location", f"depot {i.depot}")
        event.add("sequence", version)
        cal.add_component(event)
    return DriverMessage(driver_id=driver_id, subject=subject, text="\n".join(lines) + "\n", ics=cal.to_ical(),
                         week_digest=week_digest(tours))
