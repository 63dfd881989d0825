"""The week as a time-expanded flow: the driver count, its LP bound, and driver weeks.

Every driver is one unit of flow through a line of "available from time t"
nodes, one per distinct block start of each day, in time order. A block arc
leaves its start node and enters the first node of a later day that starts at
least the rest time (R6) after the block ends; waiting arcs let a driver skip
starts and days. After a 3-instance block the driver enters a "restricted"
copy of the next day's line, where 3-instance blocks are absent (R7). One
constraint per tour type makes the blocks cover every tour exactly. Every
path is then a driver week keeping R1–R7 (R3–R5 hold inside the block types);
R9 enters in aggregate (blocks ≤ 6 × drivers) on weeks of more than six days;
R8–R10 are left to the assignment moves.

Every legal plan is such a flow, so the LP optimum (rounded up) is a valid
lower bound on drivers; on split and night weeks it is tighter than the path
cover. The integer model is solved on the block types the LP uses, recombined
along the LP's links (plus every single block, so it is always feasible), then
on every block of the tours the LP links, when the first set cannot reach the
LP bound (`widenings`).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from engine import rules
from engine.rules import RuleConfig
from engine.solver.blocks import BlockType, DayBlocks, Stopped
from engine.solver.budget import Budget

_EPS = 1e-6


@dataclass(frozen=True)
class Arc:
    block: int  # block-type index, or -1 for a waiting arc
    tail: int
    head: int


@dataclass
class WeekNetwork:
    """Nodes and arcs of the week flow for the block types of `db`."""

    db: DayBlocks
    node_time: list[int]  # normal nodes in time order; the sink is len(node_time)
    layer_first: list[int]  # first normal node of each layer; [K] is the sink
    restricted: dict[int, int]  # layer → id of its first restricted node
    arcs: list[Arc]
    max_days: int  # R9

    @property
    def sink(self) -> int:
        return len(self.node_time)

    @property
    def nodes(self) -> int:
        return len(self.node_time) + 1 + sum(self.layer_first[k + 1] - self.layer_first[k] for k in self.restricted)


def build_network(db: DayBlocks, cfg: RuleConfig, keep: Sequence[int] | None = None) -> WeekNetwork:
    """The network over all block types of `db`, or only those in `keep` (indices stay the db's)."""
    days = db.days
    chosen = db.blocks if keep is None else [db.blocks[i] for i in sorted(set(keep))]
    starts = [sorted({b.start for b in chosen if b.day == d}) for d in days]
    layer_first = [0]
    for s in starts:
        layer_first.append(layer_first[-1] + len(s))
    node_time = [t for s in starts for t in s]
    sink = len(node_time)
    restricted: dict[int, int] = {}
    next_id = sink + 1
    for k in range(1, len(days)):
        if days[k] == days[k - 1] + 1 and starts[k]:
            restricted[k] = next_id
            next_id += len(starts[k])
    arcs: list[Arc] = []
    for i in range(sink):
        arcs.append(Arc(-1, i, i + 1))
    for k, first in restricted.items():
        n = len(starts[k])
        for j in range(n - 1):
            arcs.append(Arc(-1, first + j, first + j + 1))
        arcs.append(Arc(-1, first + n - 1, layer_first[k + 1]))
    layer_of = {d: k for k, d in enumerate(days)}
    for b in chosen:
        k = layer_of[b.day]
        j = bisect_left(starts[k], b.start)
        head = _head(node_time, layer_first, k, b.end + cfg.rest_min)
        if rules.fatigue_clash(b.size, cfg.max_block_instances) and k + 1 in restricted and head < layer_first[k + 2]:
            head = restricted[k + 1] + (head - layer_first[k + 1])
        arcs.append(Arc(b.index, layer_first[k] + j, head))
        if k in restricted and not rules.fatigue_clash(cfg.max_block_instances, b.size):
            arcs.append(Arc(b.index, restricted[k] + j, head))
    return WeekNetwork(db, node_time, layer_first, restricted, arcs, cfg.max_working_days)


def _head(node_time: list[int], layer_first: list[int], k: int, ready: int) -> int:
    """The first node of a later layer at or after `ready` (or the sink)."""
    lo = layer_first[k + 1]
    return bisect_left(node_time, ready, lo=lo)


class Interruptible(Protocol):
    """Where a running LP/MIP registers how to stop it (the solver's heartbeat)."""

    interrupt: Callable[[], object] | None


@dataclass(frozen=True)
class LpResult:
    value: float  # drivers in the LP optimum
    bound: int  # ⌈value⌉: no legal plan needs fewer drivers
    used: tuple[int, ...]  # block types with positive LP flow


def solve_lp(net: WeekNetwork, budget: Budget, watch: Interruptible) -> LpResult | None:
    """The LP relaxation over every block type (GLOP: deterministic, interruptible), or None when stopped."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    x, drivers = _model(solver, net, integer=False, stop=budget.out)
    solver.Minimize(drivers)
    code = _run(solver, budget, watch)
    if code != pywraplp.Solver.OPTIMAL:
        return None
    value = drivers.solution_value()
    used = sorted({net.arcs[i].block for i, v in enumerate(x) if net.arcs[i].block >= 0 and v.solution_value() > _EPS})
    return LpResult(value, math.ceil(value - _EPS), tuple(used))


def widenings(db: DayBlocks, used: Sequence[int]) -> list[set[int]]:
    """Block-type sets for the integer model, each a superset of the last: the LP's links recombined, then its tours."""
    singles = {b.index for b in db.blocks if b.size == 1}
    support = [db.blocks[i] for i in used]
    links = {pair for b in support for pair in zip(b.tours, b.tours[1:], strict=False)}
    touched = {t for b in support if b.size > 1 for t in b.tours}
    by_links = {b.index for b in db.blocks if all(pair in links for pair in zip(b.tours, b.tours[1:], strict=False))}
    by_tours = {b.index for b in db.blocks if all(t in touched for t in b.tours)}
    first = singles | set(used) | by_links
    return [first, first | by_tours]


def solve_integer(net: WeekNetwork, budget: Budget, watch: Interruptible, target: int, node_limit: int) -> tuple[list[list[BlockType]], str] | None:
    """Integer flow on `net` (SCIP, one thread, node-limited so the result is deterministic): driver weeks, or None."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetNumThreads(1)
    solver.SetSolverSpecificParametersAsString(f"limits/nodes = {node_limit}\n")
    x, drivers = _model(solver, net, integer=True, stop=budget.out)
    splits = [v for v, a in zip(x, net.arcs, strict=True) if a.block >= 0 and net.db.blocks[a.block].is_split]
    solver.Add(drivers >= target)
    total = sum(t.demand for t in net.db.tours)
    solver.Minimize(drivers * (total + 1) + sum(splits))
    code = _run(solver, budget, watch)
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE) or budget.out():
        return None  # a solve cut by the clock or a cancel is not a deterministic result
    values = [round(v.solution_value()) for v in x]
    status = "OPTIMAL" if code == pywraplp.Solver.OPTIMAL else "FEASIBLE"
    return decompose(net, values, round(drivers.solution_value())), status


def _run(solver, budget: Budget, watch: Interruptible) -> int:  # noqa: ANN001 - pywraplp.Solver
    """Solve with the heartbeat able to interrupt; the wall clock is a safety cap only."""
    if budget.out():
        return -1
    solver.SetTimeLimit(max(1, int(budget.remaining() * 1000)))
    watch.interrupt = solver.InterruptSolve
    try:
        return solver.Solve()
    finally:
        watch.interrupt = None


def _model(solver, net: WeekNetwork, integer: bool, stop: Callable[[], bool]):  # noqa: ANN001, ANN202 - pywraplp objects are untyped
    db = net.db
    inf = solver.infinity()
    total = sum(t.demand for t in db.tours)
    x = []
    for n in range(len(net.arcs)):
        if n % 5000 == 0 and stop():
            raise Stopped
        x.append(solver.IntVar(0, total, "") if integer else solver.NumVar(0, inf, ""))
    drivers = solver.IntVar(0, total, "drivers") if integer else solver.NumVar(0, inf, "drivers")
    by_tour: dict[int, list[int]] = defaultdict(list)
    inflow: dict[int, list[int]] = defaultdict(list)
    outflow: dict[int, list[int]] = defaultdict(list)
    for i, a in enumerate(net.arcs):
        outflow[a.tail].append(i)
        inflow[a.head].append(i)
        if a.block >= 0:
            for t in db.blocks[a.block].tours:
                by_tour[t].append(i)
    for t in db.tours:
        if stop():
            raise Stopped
        solver.Add(sum(x[i] for i in by_tour[t.index]) == t.demand)
    for node in sorted(set(inflow) | set(outflow) | {0}):
        if node != net.sink:
            solver.Add((drivers if node == 0 else 0) + sum(x[i] for i in inflow[node]) == sum(x[i] for i in outflow[node]))
    if len(db.days) > net.max_days:  # R9 in aggregate: one block a day, so at most max_days blocks a driver
        solver.Add(sum(x[i] for i, a in enumerate(net.arcs) if a.block >= 0) <= net.max_days * drivers)
    return x, drivers


def decompose(net: WeekNetwork, arc_flow: list[int], drivers: int) -> list[list[BlockType]]:
    """Split an integer flow into driver weeks (paths from the first node to the sink)."""
    remaining = np.array(arc_flow, dtype=np.int64)
    out_arcs: dict[int, list[int]] = defaultdict(list)
    for i, a in enumerate(net.arcs):
        if remaining[i] > 0:
            out_arcs[a.tail].append(i)
    for arcs in out_arcs.values():  # blocks before waiting, larger work first: deterministic
        arcs.sort(key=lambda i: (net.arcs[i].block < 0, -(net.db.blocks[net.arcs[i].block].work if net.arcs[i].block >= 0 else 0), i))
    weeks: list[list[BlockType]] = []
    for _ in range(drivers):
        node, week = 0, []
        while node != net.sink:
            arcs = out_arcs[node]
            while arcs and remaining[arcs[0]] == 0:
                arcs.pop(0)
            if not arcs:
                break  # flow conservation guarantees an arc; stop safely all the same
            i = arcs[0]
            remaining[i] -= 1
            if net.arcs[i].block >= 0:
                week.append(net.db.blocks[net.arcs[i].block])
            node = net.arcs[i].head
        if week:
            weeks.append(week)
    return weeks
