"""Driver weeks, who may work them, and what a week costs the objective.

A week is the block types one driver works, day by day. `Slot` is a place for
a week: a named driver (R8 personal cap, R10 availability and skills, contract
type) or an anonymous one (a stand-in when the forecast names its workforce).
`DriverState` applies R6–R10 through the rule table's functions, so every
stage stays legal by construction; the audits then confirm it independently.

`week_cost` turns the lexicographic objective into one integer per week, so an
assignment problem can optimise a whole plan at once: illegal ≫ stand-in ≫
driver ≫ part-timer (a concave term that pushes part-time work onto fewer
drivers) ≫ hours above 40 h (balance) and depot mismatches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine import rules
from engine.models import DriverSpec
from engine.rules import RuleConfig
from engine.solver.blocks import BlockType, DayBlocks

ILLEGAL = 10**12
STANDIN = 10**9
STANDIN_PER_MIN = 10**6  # every minute moved off a stand-in pays for a named driver's week
REPAIR_BASE = 2 * 10**7  # soft repair: above a driver (never traded for one), below a stand-in (never opens one)
REPAIR_PER_MIN = 2_000
REPAIR_PER_DAY = 1_000_000
REPAIR_R10 = 1_000_000
DRIVER = 10**7
PT_BASE = 10_000
PT_SLOPE = 4_000
CONTRACT_PT_USE = 100  # a part-time contract is used only where full-timers cannot take the work
OVER_FTE_PER_HOUR = 10
DEPOT_MISMATCH = 50

ANONYMOUS, STAND_IN, FULL_TIME, PART_TIME = 0, 1, 2, 3


@dataclass(frozen=True)
class Slot:
    """A place for one driver week: a named driver, or an anonymous/stand-in week."""

    spec: DriverSpec | None
    kind: int
    absent_days: frozenset[int] = frozenset()  # a repair's sick or vacation days: like unavailable days (R10)

    def limit(self, cfg: RuleConfig) -> int:
        return rules.weekly_limit_minutes(cfg, self.spec)

    def may_work(self, day: int, skill: str) -> bool:
        if day in self.absent_days:
            return False
        return self.spec is None or not rules.availability_breaches(self.spec, day, skill)


def named_slots(drivers: list[DriverSpec], standins: int) -> list[Slot]:
    """Every named driver (in id order), then stand-in slots."""
    named = [Slot(d, PART_TIME if d.contract_type in ("part_time", "flex") else FULL_TIME) for d in sorted(drivers, key=lambda d: d.external_id)]
    return named + [Slot(None, STAND_IN) for _ in range(standins)]


def anonymous_slots(weeks: int, spares: int) -> list[Slot]:
    """Anonymous weeks, then spares that open only when a breach cannot be repaired otherwise (priced as stand-ins)."""
    return [Slot(None, ANONYMOUS) for _ in range(weeks)] + [Slot(None, STAND_IN) for _ in range(spares)]


def new_driver_ids(count: int, taken: set[str], beside_named: bool) -> list[str]:
    """Ids for weeks nobody in the roster works: D001… (open-01… beside named drivers), skipping ids in use."""
    width = max(2 if beside_named else 3, len(str(count)))
    out: list[str] = []
    n = 0
    while len(out) < count:
        n += 1
        ident = f"open-{n:0{width}d}" if beside_named else f"D{n:0{width}d}"
        if ident not in taken:
            out.append(ident)
    return out


@dataclass
class DriverState:
    """A week being built day by day, with the exact R6–R10 checks."""

    slot: Slot = field(default_factory=lambda: Slot(None, ANONYMOUS))
    blocks: list[BlockType] = field(default_factory=list)
    work: int = 0

    def can_take(self, b: BlockType, cfg: RuleConfig, tours: DayBlocks | None = None) -> bool:
        if tours is not None and not all(self.slot.may_work(b.day, tours.tours[t].skill) for t in b.tours):
            return False
        if not rules.weekly_ok(self.work + b.work, self.slot.limit(cfg)):
            return False
        if not self.blocks:
            return True
        last = self.blocks[-1]
        if b.day <= last.day or not rules.rest_ok(last.end, b.start, cfg):
            return False
        if b.day == last.day + 1 and rules.fatigue_clash(last.size, b.size):
            return False
        return bool(rules.working_days_ok(len(self.blocks) + 1, cfg))

    def take(self, b: BlockType) -> None:
        self.blocks.append(b)
        self.work += b.work


def week_is_legal(blocks: list[BlockType], slot: Slot, cfg: RuleConfig, db: DayBlocks) -> bool:
    state = DriverState(slot)
    for b in sorted(blocks, key=lambda x: x.day):
        if not state.can_take(b, cfg, db):
            return False
        state.take(b)
    return True


def legal_parts(blocks: list[BlockType], cfg: RuleConfig) -> list[list[BlockType]]:
    """The last resort: cut an anonymous week wherever it would break a weekly rule."""
    parts: list[DriverState] = []
    for b in sorted(blocks, key=lambda x: x.day):
        if not parts or not parts[-1].can_take(b, cfg):
            parts.append(DriverState())
        parts[-1].take(b)
    return [p.blocks for p in parts]


def week_cost(
    work: np.ndarray, days: np.ndarray, kind: np.ndarray, limit: np.ndarray, bad: np.ndarray, miss: np.ndarray, cfg: RuleConfig, hard: bool
) -> np.ndarray:
    """The objective of weeks, elementwise: 0 for an empty week.

    `bad` counts blocks breaking R10 for the week's driver. Breaches are graded
    (so every step of a repair pays): ILLEGAL per breach when `hard`; otherwise
    a repair cost between a driver and a stand-in, so moves first trade work
    between the existing weeks, neither merging weeks into a breach nor
    opening new ones.
    """
    fte = cfg.fte_threshold_minutes
    used = days > 0
    counted_pt = (kind != PART_TIME) & (work < fte)
    pt = np.where(counted_pt, PT_BASE - (PT_SLOPE * (work.astype(np.float64) / fte) ** 2).astype(np.int64), 0)
    over = np.where(work > fte, (work - fte) * OVER_FTE_PER_HOUR // 60, 0)
    contract = np.where(kind == PART_TIME, CONTRACT_PT_USE, 0)
    standin = np.where(kind == STAND_IN, STANDIN + STANDIN_PER_MIN * work, 0)
    base = DRIVER + standin + pt + over + contract + miss * DEPOT_MISMATCH
    excess_min = np.maximum(0, work - limit)
    excess_days = np.maximum(0, days - cfg.max_working_days)
    broken = ~(rules.weekly_ok(work, limit) & rules.working_days_ok(days, cfg)) | (bad > 0)
    if hard:
        repair = (broken + bad + excess_days) * ILLEGAL + excess_min * (ILLEGAL // 10_000)
    else:
        repair = np.where(broken, REPAIR_BASE, 0) + excess_min * REPAIR_PER_MIN + excess_days * REPAIR_PER_DAY + bad * REPAIR_R10
    return np.where(used, base, 0) + repair
