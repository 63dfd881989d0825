"""Every driver's week as a dispatcher reads it: one block per day, rest, span, hours.

Derived from instances + assignments with the rule table's own checks, so the
cockpit and `show-run --drivers` show exactly what the audits judge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from engine.models import MINUTES_PER_DAY, Instance, fmt_hhmm, fmt_hour_short, work_by_driver
from engine.rules import DEFAULT_CONFIG, Piece, RuleConfig, check_block, is_fte, rest_minutes


class DayBlock(BaseModel):
    """A driver's work on one day."""

    day: int
    first_start: int
    last_end: int
    instances: list[str]
    kind: str  # 1er / 2er_regular / 2er_split / 3er
    is_split: bool
    span: int
    span_limit: int
    work_minutes: int
    rest_before: int | None  # minutes since the previous working day's last end
    rest_limit: int
    breaches: list[str]

    @property
    def label(self) -> str:
        """`05:00–14:30 ×2` with `S` for a split block: what the schedule cell shows."""
        mark = " S" if self.is_split else ""
        return f"{fmt_hhmm(self.first_start)}–{fmt_hhmm(self.last_end)} ×{len(self.instances)}{mark}"

    @property
    def short_label(self) -> str:
        """`6–15½ 2`, `6~19 2` for a split block: a whole week fits 80 columns."""
        dash = "~" if self.is_split else "–"
        return f"{fmt_hour_short(self.first_start)}{dash}{fmt_hour_short(self.last_end)} {len(self.instances)}"


class DriverWeek(BaseModel):
    driver_id: str
    blocks: dict[int, DayBlock]  # day 1..7 → block
    work_minutes: int
    days_worked: int
    fte: bool

    @property
    def hours(self) -> float:
        return round(self.work_minutes / 60, 2)

    @property
    def contract(self) -> str:
        return "FTE" if self.fte else "PT"


def driver_weeks(
    instances: Sequence[Instance],
    assignments: Mapping[str, str],
    cfg: RuleConfig = DEFAULT_CONFIG,
) -> list[DriverWeek]:
    """One `DriverWeek` per driver with work, ordered by driver id."""
    per_driver = work_by_driver(instances, assignments)
    weeks = []
    for driver in sorted(per_driver):
        days = per_driver[driver]
        blocks: dict[int, DayBlock] = {}
        prev_end: int | None = None
        for day in sorted(days):
            items = sorted(days[day], key=lambda i: (i.start, i.end))
            verdict = check_block([Piece(i.start, i.end, i.is_split) for i in items], cfg)
            first, last = items[0].start, max(i.end for i in items)
            base = (day - 1) * MINUTES_PER_DAY
            blocks[day] = DayBlock(
                day=day,
                first_start=first - base,
                last_end=last - base,
                instances=[i.id for i in items],
                kind=verdict.kind,
                is_split=verdict.is_split,
                span=verdict.span,
                span_limit=verdict.span_limit,
                work_minutes=sum(i.work_minutes for i in items),
                rest_before=rest_minutes(prev_end, first) if prev_end is not None else None,
                rest_limit=cfg.rest_min,
                breaches=[b.message for b in verdict.breaches],
            )
            prev_end = last
        work = sum(b.work_minutes for b in blocks.values())
        weeks.append(DriverWeek(driver_id=driver, blocks=blocks, work_minutes=work, days_worked=len(blocks), fte=is_fte(work, cfg)))
    return weeks
