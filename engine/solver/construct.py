"""The fast first plan: few blocks per day, then day-by-day min-cost chaining.

1. Per day, a tiny CP-SAT model picks a multiset of block types covering every
   tour type exactly with as few blocks (then split blocks) as possible.
2. Days are chained in order: a min-cost flow gives today's blocks to drivers
   who may legally take them (exact R6–R9 state), preferring the lightest
   load; blocks nobody can take open new drivers.
Both steps are deterministic (one worker, deterministic time, sorted data) and
together take well under a second on a 1,400-tour week.
"""

from __future__ import annotations

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from engine.rules import RuleConfig
from engine.solver.blocks import BlockType, DayBlocks
from engine.solver.weeks import DriverState

_NEW_DRIVER_COST = 1_000_000


def choose_day_blocks(db: DayBlocks, day: int, seed: int) -> list[BlockType]:
    """A multiset of legal blocks covering the day's tours with few blocks."""
    blocks = db.blocks_on(day)
    tours = [t for t in db.tours if t.day == day]
    m = cp_model.CpModel()
    demand = {t.index: t.demand for t in tours}
    x = {b.index: m.new_int_var(0, min(demand[t] for t in b.tours), f"x{b.index}") for b in blocks}
    for t in tours:
        m.add(sum(x[b.index] for b in blocks if t.index in b.tours) == t.demand)
    m.minimize(sum((1000 + (10 if b.is_split else 0) + (3 - b.size)) * x[b.index] for b in blocks))
    for b in blocks:
        m.add_hint(x[b.index], demand[b.tours[0]] if b.size == 1 else 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = 0.3
    code = solver.solve(m)
    out: list[BlockType] = []
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for b in blocks:
            out.extend([b] * int(solver.value(x[b.index])))
        return out
    for b in blocks:  # singles always cover exactly (every tour type has a legal single here)
        if b.size == 1:
            out.extend([b] * demand[b.tours[0]])
    return out


def chain_days(db: DayBlocks, day_blocks: dict[int, list[BlockType]], cfg: RuleConfig) -> list[list[BlockType]]:
    """Give each day's blocks to existing drivers where legal, else to new drivers."""
    drivers: list[DriverState] = []
    for day in db.days:
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
        for a in range(flow.num_arcs()):
            if flow.flow(a) and flow.tail(a) < nb and flow.head(a) < new_node:
                drivers[flow.head(a) - nb].take(todays[flow.tail(a)])
        taken = {flow.tail(a) for a in range(flow.num_arcs()) if flow.flow(a) and flow.tail(a) < nb and flow.head(a) < new_node}
        for bi, b in enumerate(todays):
            if bi not in taken:
                fresh = DriverState()
                fresh.take(b)
                drivers.append(fresh)
    return [d.blocks for d in drivers]


def construct(db: DayBlocks, cfg: RuleConfig, seed: int) -> list[list[BlockType]]:
    day_blocks = {day: choose_day_blocks(db, day, seed) for day in db.days}
    return chain_days(db, day_blocks, cfg)
