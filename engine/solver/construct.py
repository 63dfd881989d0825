"""The fast first plan: greedy day blocks, then day-by-day min-cost chaining.

1. Per day, tours are taken in start order and each is extended with the
   longest legal follower (a regular gap first, a split break only when no
   regular follower is left), up to the block size: few blocks, in
   milliseconds, whatever the number of block types.
2. Days are chained in order: a min-cost flow gives today's blocks to drivers
   who may legally take them (exact R6–R9 state), preferring the lightest
   load; blocks nobody can take open new drivers.
Both steps are deterministic (sorted data, no time limits).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.graph.python import min_cost_flow

from engine.rules import RuleConfig
from engine.solver.blocks import BlockType, DayBlocks, Stopped
from engine.solver.weeks import DriverState

_NEW_DRIVER_COST = 1_000_000


def greedy_day_blocks(db: DayBlocks, day: int, demand: dict[int, int] | None = None) -> list[BlockType]:
    """A multiset of legal blocks covering the day's tours (or `demand` of them: tour index → count) exactly."""
    by_tours = {b.tours: b for b in db.blocks if b.day == day}
    followers: dict[int, list[BlockType]] = defaultdict(list)
    for b in by_tours.values():
        if b.size == 2:
            followers[b.tours[0]].append(b)
    for options in followers.values():  # regular links before split breaks, then the longest follower
        options.sort(key=lambda b: (b.is_split, -db.tours[b.tours[1]].work, b.tours[1]))
    left = {t.index: (t.demand if demand is None else demand.get(t.index, 0)) for t in db.tours if t.day == day}
    out: list[BlockType] = []
    for t in sorted(left, key=lambda i: (db.tours[i].start, i)):
        while left[t] > 0:
            left[t] -= 1
            seq: tuple[int, ...] = (t,)
            for _ in range(2):
                nxt = _extend(seq, followers, by_tours, left)
                if nxt is None:
                    break
                seq = nxt
                left[seq[-1]] -= 1
            out.append(by_tours[seq])
    return out


def _extend(seq: tuple[int, ...], followers: dict[int, list[BlockType]], by_tours: dict[tuple[int, ...], BlockType], left: dict[int, int]) -> tuple[int, ...] | None:
    for pair in followers.get(seq[-1], ()):
        u = pair.tours[1]
        cand = (*seq, u)
        if left[u] > 0 and cand in by_tours:
            return cand
    return None


def chain_days(db: DayBlocks, day_blocks: dict[int, list[BlockType]], cfg: RuleConfig, stop: Callable[[], bool]) -> list[list[BlockType]]:
    """Give each day's blocks to existing drivers where legal, else to new drivers (`Stopped` when `stop` says so)."""
    drivers: list[DriverState] = []
    for day in db.days:
        if stop():
            raise Stopped
        todays = sorted(day_blocks[day], key=lambda b: (b.start, b.end, b.tours))
        flow = min_cost_flow.SimpleMinCostFlow()
        nb, nd = len(todays), len(drivers)
        new_node, sink = nb + nd, nb + nd + 1
        for bi, b in enumerate(todays):
            flow.set_node_supply(bi, 1)
            for di, d in enumerate(drivers):
                if d.can_take(b, cfg):
                    slack = b.start - d.blocks[-1].end if d.blocks else 0
                    flow.add_arc_with_capacity_and_unit_cost(bi, nb + di, 1, d.work + slack // 60)
            flow.add_arc_with_capacity_and_unit_cost(bi, new_node, 1, _NEW_DRIVER_COST)
        for di in range(nd):
            flow.add_arc_with_capacity_and_unit_cost(nb + di, sink, 1, 0)
        flow.add_arc_with_capacity_and_unit_cost(new_node, sink, nb, 0)
        flow.set_node_supply(sink, -nb)
        if nb and flow.solve() != flow.OPTIMAL:
            raise RuntimeError("chaining flow failed")  # cannot happen: the new-driver arc always fits
        taken: set[int] = set()
        for a in range(flow.num_arcs()):
            if flow.flow(a) and flow.tail(a) < nb and flow.head(a) < new_node:
                drivers[flow.head(a) - nb].take(todays[flow.tail(a)])
                taken.add(flow.tail(a))
        for bi, b in enumerate(todays):
            if bi not in taken:
                fresh = DriverState()
                fresh.take(b)
                drivers.append(fresh)
    return [d.blocks for d in drivers]


def construct(db: DayBlocks, cfg: RuleConfig, stop: Callable[[], bool]) -> list[list[BlockType]]:
    """The first legal anonymous plan (R1–R9); when `stop` says so, every instance alone (legal, and instant)."""
    try:
        return chain_days(db, {day: greedy_day_blocks(db, day) for day in db.days}, cfg, stop)
    except Stopped:
        return alone(db)


def alone(db: DayBlocks) -> list[list[BlockType]]:
    """One week per instance: legal whenever each instance is (the blocks enumerated prove it)."""
    singles = {b.tours[0]: b for b in db.blocks if b.size == 1}
    return [[singles[t.index]] for t in db.tours for _ in range(t.demand)]
