"""The rule table R1–R10 (SPEC §4): limits as data plus the small pure checks.

Solver, audits and (later) repair all call these functions, so each rule is
written exactly once. Times are absolute minutes from the anchor Monday.

Interpretation choices, made once here:
- A block is the set of a driver's instances that start on the same day (R3).
- Links (R4) are judged between consecutive instances of a block sorted by
  start: gap = next.start − previous.end. A negative gap is an overlap (R2) and
  is left to the overlap audit, so one mistake is reported once.
- A split tour carries its own break between segments and is a block of its
  own (R3): its driver works nothing else that day; its block is a split block
  (span ≤ 960).
- An instance occupies its driver from its first start to its last end (R2):
  nothing can legally sit inside a split tour's break anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from engine.models import DriverSpec, canonical_dumps, sha256_prefixed

GapKind = Literal["regular", "split", "overlap", "illegal"]
BlockKind = Literal["1er", "2er_regular", "2er_split", "3er"]


class RuleConfig(BaseModel):
    """Every limit of the rule table; its hash is the `solver_config_hash`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_block_instances: int = 3
    regular_gap_min: int = 30
    regular_gap_max: int = 60
    split_break_min: int = 240
    split_break_max: int = 360
    span_regular_max: int = 840
    span_triple_max: int = 960
    span_split_max: int = 960
    rest_min: int = 660
    weekly_max_minutes: int = 55 * 60
    max_working_days: int = 6
    fte_threshold_minutes: int = 40 * 60

    def config_hash(self) -> str:
        """sha256 of the canonical JSON of the limits: part of every output hash."""
        return sha256_prefixed(canonical_dumps(self.model_dump(mode="json")))


DEFAULT_CONFIG = RuleConfig()


@dataclass(frozen=True, slots=True)
class Piece:
    """What the block rules need of one instance: its interval and whether it is a split tour."""

    start: int
    end: int
    split_tour: bool = False


@dataclass(frozen=True, slots=True)
class Breach:
    """One broken rule inside a block (or a week): rule id, measured value, limit, words."""

    rule: str
    measured: int
    limit: int
    message: str


@dataclass(frozen=True, slots=True)
class BlockVerdict:
    """The shape of one block and every R3/R4/R5 breach in it."""

    kind: BlockKind
    is_split: bool
    span: int
    span_limit: int
    breaches: tuple[Breach, ...]

    @property
    def legal(self) -> bool:
        return not self.breaches


def classify_gap(gap: int, cfg: RuleConfig = DEFAULT_CONFIG) -> GapKind:
    """R4: what kind of link a gap between two instances of one block is."""
    if gap < 0:
        return "overlap"
    if cfg.regular_gap_min <= gap <= cfg.regular_gap_max:
        return "regular"
    if cfg.split_break_min <= gap <= cfg.split_break_max:
        return "split"
    return "illegal"


def check_block(pieces: Sequence[Piece], cfg: RuleConfig = DEFAULT_CONFIG) -> BlockVerdict:
    """R3 size, R4 links, R5 span for one driver-day (pieces in any order)."""
    items = sorted(pieces, key=lambda p: (p.start, p.end))
    n = len(items)
    breaches: list[Breach] = []
    if n > cfg.max_block_instances:
        breaches.append(Breach("R3", n, cfg.max_block_instances, f"{n} instances in one block (max {cfg.max_block_instances})"))
    if n > 1 and any(p.split_tour for p in items):
        breaches.append(Breach("R3", n, 1, "a split tour is a block of its own: its driver works nothing else that day"))
    gaps = [b.start - a.end for a, b in zip(items, items[1:], strict=False)]
    kinds = [classify_gap(g, cfg) for g in gaps]
    has_split_tour = any(p.split_tour for p in items)
    is_split = "split" in kinds or has_split_tour
    for gap, kind in zip(gaps, kinds, strict=True):
        if kind == "illegal":
            breaches.append(
                Breach(
                    "R4",
                    gap,
                    cfg.regular_gap_max,
                    f"gap of {gap} min is neither regular ({cfg.regular_gap_min}–{cfg.regular_gap_max}) "
                    f"nor a split break ({cfg.split_break_min}–{cfg.split_break_max})",
                )
            )
    if n >= 3 and "split" in kinds:
        worst = max(g for g, k in zip(gaps, kinds, strict=True) if k == "split")
        breaches.append(Breach("R4", worst, cfg.regular_gap_max, f"a {n}-instance block uses regular gaps only, found a split break of {worst} min"))
    span = max(p.end for p in items) - items[0].start if items else 0
    if is_split:
        limit = cfg.span_split_max
    elif n >= 3:
        limit = cfg.span_triple_max
    else:
        limit = cfg.span_regular_max
    if span > limit:
        breaches.append(Breach("R5", span, limit, f"block span {span} min exceeds {limit} min"))
    return BlockVerdict(block_kind(n, is_split), is_split, span, limit, tuple(breaches))


def block_kind(n: int, is_split: bool) -> BlockKind:
    """The block-mix class of SPEC §4.2 (a lone split tour counts as a 1er)."""
    if n <= 1:
        return "1er"
    if n == 2:
        return "2er_split" if is_split else "2er_regular"
    return "3er"


def rest_minutes(prev_last_end: int, next_first_start: int) -> int:
    """R6: rest between two working days of one driver."""
    return next_first_start - prev_last_end


def rest_ok(prev_last_end: int, next_first_start: int, cfg: RuleConfig = DEFAULT_CONFIG) -> bool:
    return rest_minutes(prev_last_end, next_first_start) >= cfg.rest_min


def fatigue_clash(size_today, size_next_day):  # noqa: ANN001, ANN201 - ints or numpy arrays
    """R7: two 3-instance blocks on consecutive days (elementwise on arrays, for the solver's moves)."""
    return (size_today >= 3) & (size_next_day >= 3)


def weekly_ok(work_minutes, limit_minutes):  # noqa: ANN001, ANN201 - ints or numpy arrays
    """R8: a week's work within its cap (`weekly_limit_minutes`)."""
    return work_minutes <= limit_minutes


def working_days_ok(days, cfg: RuleConfig = DEFAULT_CONFIG):  # noqa: ANN001, ANN201 - ints or numpy arrays
    """R9: distinct working days within the limit."""
    return days <= cfg.max_working_days


def weekly_limit_minutes(cfg: RuleConfig = DEFAULT_CONFIG, driver: DriverSpec | None = None) -> int:
    """R8: the weekly cap, or a named driver's own lower maximum."""
    if driver is None:
        return cfg.weekly_max_minutes
    return min(cfg.weekly_max_minutes, math.floor(driver.max_hours_week * 60 + 1e-9))


def is_fte(work_minutes: int, cfg: RuleConfig = DEFAULT_CONFIG) -> bool:
    """SPEC §4: ≥ 40 h a week is full-time; below is part-time."""
    return work_minutes >= cfg.fte_threshold_minutes


def availability_breaches(driver: DriverSpec, day: int, skill: str) -> list[Breach]:
    """R10 for one instance given to a named driver."""
    out: list[Breach] = []
    if day in driver.unavailable_days:
        out.append(Breach("R10", day, 0, f"driver {driver.external_id} is unavailable on day {day}"))
    if skill not in driver.skills:
        out.append(Breach("R10", 0, 0, f"driver {driver.external_id} lacks skill {skill!r}"))
    return out


def lone_breach(piece: Piece, cfg: RuleConfig = DEFAULT_CONFIG) -> Breach | None:
    """Why no driver can work this tour even as their day's only work (None: a driver can).
    A forecast with such a tour cannot be covered: the run FAILS and names it with this."""
    breaches = check_block([piece], cfg).breaches
    return breaches[0] if breaches else None
