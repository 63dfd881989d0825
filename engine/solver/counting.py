"""The exact part-timer model over the counting network, solved by CP-SAT.

Used only where instance counts measure hours exactly (`network.counts_exact`):
there it proves the fewest part-timers (KW51's 105).

Integer variables: how many drivers use each network arc (a block class with
an incoming state, a ladder step, a day off, the end of the week) and how many
copies of each block type are worked per day. Coverage is exact per tour type,
flow is conserved at every state, and the objective is lexicographic through
weights: drivers, then estimated part-timers, then split blocks, then fewer
drivers at the load cap (a nudge towards balanced hours).

Determinism: the model is built in a fixed order from sorted data, CP-SAT runs
with a fixed seed and a fixed number of workers (with `interleave_search` when
more than one, which makes the parallel search reproducible), and stops on
`max_deterministic_time`. The
wall-clock limit is only a safety cap; when it fires first the result is
reported as TIME_LIMIT and may differ between machines.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from engine.solver.blocks import DayBlocks
from engine.solver.budget import Budget
from engine.solver.network import Network, Node


@dataclass(frozen=True)
class FlowSolution:
    """Arc flows and block-type counts of one solution of the counting model."""

    arc_flow: tuple[int, ...]
    block_count: dict[int, int]
    drivers: int


@dataclass(frozen=True)
class ModelOutcome:
    solution: FlowSolution | None
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN
    wall_limited: bool
    deterministic_time: float
    wall_time: float


class CountingModel:
    def __init__(self, db: DayBlocks, net: Network, max_drivers: int | None = None) -> None:
        self.db = db
        self.net = net
        m = cp_model.CpModel()
        self.model = m
        total = sum(t.demand for t in db.tours)
        hi = max_drivers if max_drivers is not None else total
        self.arc_vars: list[cp_model.IntVar] = [m.new_int_var(0, hi, f"a{i}") for i in range(len(net.arcs))]
        self.block_vars: dict[int, cp_model.IntVar] = {}
        demand = {t.index: t.demand for t in db.tours}
        for b in db.blocks:
            ub = min(demand[t] for t in b.tours)
            self.block_vars[b.index] = m.new_int_var(0, ub, f"b{b.index}")
        cover: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for b in db.blocks:
            for t in b.tours:
                cover[t].append(self.block_vars[b.index])
        for t in db.tours:
            m.add(sum(cover[t.index]) == t.demand)
        inflow: dict[Node, list[cp_model.IntVar]] = defaultdict(list)
        outflow: dict[Node, list[cp_model.IntVar]] = defaultdict(list)
        per_class: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for arc, var in zip(net.arcs, self.arc_vars, strict=True):
            outflow[arc.tail].append(var)
            inflow[arc.head].append(var)
            if arc.kind == "work":
                per_class[arc.cls].append(var)
        self.drivers = m.new_int_var(0, hi, "drivers")
        inflow[net.source].append(self.drivers)
        for node in sorted(set(inflow) | set(outflow)):
            if node[0] > net.layers:
                continue  # sink nodes absorb
            m.add(sum(inflow[node]) == sum(outflow[node]))
        for ci, c in enumerate(net.classes):
            m.add(sum(per_class[ci]) == sum(self.block_vars[b] for b in c.blocks))
        end_arcs = [(a, v) for a, v in zip(net.arcs, self.arc_vars, strict=True) if a.kind == "end"]
        self.pt = sum(v for a, v in end_arcs if a.tail[1] < net.fte_units)
        self.at_cap = sum(v for a, v in end_arcs if a.tail[1] >= net.cap_units)
        self.splits = sum(self.block_vars[b.index] for b in db.blocks if b.is_split)
        w_cap = 1
        w_split = w_cap * (total + 1)
        w_pt = w_split * (total + 1)
        w_drv = w_pt * (total + 1)
        m.minimize(w_drv * self.drivers + w_pt * self.pt + w_split * self.splits + w_cap * self.at_cap)

    def add_lower_bound(self, drivers: int) -> None:
        """A known valid bound helps CP-SAT prove optimality of the driver count."""
        self.model.add(self.drivers >= drivers)

    def hint(self, sol: FlowSolution) -> None:
        for var, val in zip(self.arc_vars, sol.arc_flow, strict=True):
            self.model.add_hint(var, val)
        for b, var in self.block_vars.items():
            self.model.add_hint(var, sol.block_count.get(b, 0))
        self.model.add_hint(self.drivers, sol.drivers)

    def solve(
        self,
        *,
        seed: int,
        deterministic_time: float,
        budget: Budget,
        workers: int,
        on_solution: Callable[[FlowSolution], None] | None = None,
    ) -> ModelOutcome:
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.random_seed = seed
        p.num_workers = workers
        p.interleave_search = workers > 1
        p.max_deterministic_time = deterministic_time
        wall_time = max(0.1, budget.remaining())
        p.max_time_in_seconds = wall_time
        model = self

        class _Callback(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                if on_solution is not None:
                    on_solution(model._read(self))
                if budget.out():
                    self.stop_search()

        started = time.monotonic()
        watcher_done = threading.Event()
        threading.Thread(target=_watch, args=(budget, watcher_done, solver), daemon=True).start()
        code = solver.solve(self.model, _Callback())
        watcher_done.set()
        elapsed = time.monotonic() - started
        status = solver.status_name(code)
        sol = self._read(solver) if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
        wall_limited = code != cp_model.OPTIMAL and elapsed >= wall_time * 0.98
        return ModelOutcome(sol, status, wall_limited, solver.deterministic_time, elapsed)

    def _read(self, src: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> FlowSolution:
        flows = tuple(int(src.value(v)) for v in self.arc_vars)
        counts = {b: int(src.value(v)) for b, v in self.block_vars.items() if src.value(v)}
        return FlowSolution(flows, counts, int(src.value(self.drivers)))


def _watch(budget: Budget, done: threading.Event, solver: cp_model.CpSolver) -> None:
    """Stop CP-SAT promptly on a cancel request even between solutions."""
    while not done.wait(0.05):
        if budget.out():
            solver.stop_search()
            return
