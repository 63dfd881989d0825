"""The rules around one tour instance: its block, the rest before and after that block, the
block's span, the driver's week against the weekly caps. What the cockpit's tour detail shows.

Every limit comes from the rule table (engine/rules.py) and every measure from the driver's
week as the audits judge it (engine/driver_weeks.py): nothing here restates a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.driver_weeks import DayBlock, DriverWeek
from engine.models import DAY_CODES, MINUTES_PER_DAY, Instance, fmt_hhmm
from engine.rules import DEFAULT_CONFIG, RuleConfig


@dataclass(frozen=True, slots=True)
class RuleLine:
    """One rule measured for the tour's driver: `R6 rest before the block 12:30 (≥ 11:00)`."""

    rule: str
    what: str
    measured: str
    limit: str
    ok: bool

    @property
    def text(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.rule} {self.what}: {self.measured} ({self.limit})"


@dataclass(frozen=True, slots=True)
class TourContext:
    instance: Instance
    driver: str | None  # None: not assigned (a FAILED run's uncovered tour)
    block: DayBlock | None
    rules: tuple[RuleLine, ...]
    breaches: tuple[str, ...]  # the block's own breaches, in the rule table's words

    @property
    def night(self) -> bool:
        """It ends after the midnight of its day (it still belongs to the day it starts on)."""
        return self.instance.end > self.instance.day * MINUTES_PER_DAY


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _day_time(day: int, minute_of_day: int) -> str:
    return f"{DAY_CODES[(day - 1) % 7]} {fmt_hhmm(minute_of_day)}"


def tour_context(instance: Instance, driver: str | None, week: DriverWeek | None,
                 cfg: RuleConfig = DEFAULT_CONFIG) -> TourContext:
    """The tour's block in its driver's week and the rules measured around it."""
    block = week.blocks.get(instance.day) if week else None
    if week is None or block is None:
        return TourContext(instance, driver, None, (), ())
    rules = [RuleLine("R5", "span of the block", _hm(block.span), f"≤ {_hm(block.span_limit)}", block.span <= block.span_limit)]
    if block.rest_before is None:
        rules.append(RuleLine("R6", "rest before the block", "first working day of the week", f"≥ {_hm(cfg.rest_min)}", True))
    else:
        rules.append(RuleLine("R6", "rest before the block", _hm(block.rest_before), f"≥ {_hm(block.rest_limit)}",
                              block.rest_before >= block.rest_limit))
    later = sorted(d for d in week.blocks if d > instance.day)
    if later:
        nxt = week.blocks[later[0]]
        rest = nxt.rest_before if nxt.rest_before is not None else 0
        rules.append(RuleLine("R6", f"rest after the block (to {_day_time(nxt.day, nxt.first_start)})", _hm(rest),
                              f"≥ {_hm(nxt.rest_limit)}", rest >= nxt.rest_limit))
    else:
        rules.append(RuleLine("R6", "rest after the block", "last working day of the week", f"≥ {_hm(cfg.rest_min)}", True))
    rules.append(RuleLine("R8", "the driver's weekly hours", f"{week.hours:g} h",
                          f"≤ {cfg.weekly_max_minutes / 60:g} h; full-time from {cfg.fte_threshold_minutes / 60:g} h: {week.contract}",
                          week.work_minutes <= cfg.weekly_max_minutes))
    rules.append(RuleLine("R9", "working days", str(week.days_worked), f"≤ {cfg.max_working_days}",
                          week.days_worked <= cfg.max_working_days))
    return TourContext(instance, driver, block, tuple(rules), tuple(block.breaches))
