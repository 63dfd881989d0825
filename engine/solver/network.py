"""The week as a layered flow network over day-block classes.

Every driver is one unit of flow through the demand days. Between days a
driver's state is (u, f, j): u = instances worked so far (the weekly-load
proxy), f = yesterday was a 3-instance block (R7), j = the first start index
allowed today (R6: a block ending at e forbids starts before e + rest). A
"ladder" j → j+1 lets a rested driver take any later start, so arcs stay
linear in size. Block types of a day with the same (start index, next-day
need index, size) form one class; the counting model decides how many drivers
use each class with each state.

Weekly load uses instance counts: u ≤ ⌊cap / longest instance⌋ guarantees R8
whatever instances a week gets, and u ≥ ⌈40 h / shortest instance⌉ guarantees
FTE; where both are exact (`counts_exact`, e.g. all tours 4.5 h) the model's
part-timer count is the true one.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from engine.rules import RuleConfig
from engine.solver.blocks import BlockType, DayBlocks

Node = tuple[int, int, int, int]  # (day position k, u, f, j); k == K is the end layer (f = j = 0)


@dataclass(frozen=True, slots=True)
class BlockClass:
    key: tuple[int, int, int, int]  # (k, start index, need index, size)
    k: int
    sidx: int
    nidx: int
    size: int
    triple_next: bool  # sets f on the next layer
    blocks: tuple[int, ...]  # block-type indices


@dataclass(frozen=True, slots=True)
class Arc:
    tail: Node
    head: Node
    kind: str  # "work" | "ladder" | "off" | "end"
    cls: int = -1  # index into Network.classes for work arcs


@dataclass
class Network:
    days: tuple[int, ...]
    starts: list[list[int]]
    classes: list[BlockClass]
    arcs: list[Arc] = field(default_factory=list)
    cap_units: int = 0
    fte_units: int = 0
    track_load: bool = True
    source: Node = (0, 0, 0, 0)

    @property
    def layers(self) -> int:
        return len(self.days)


def _units(db: DayBlocks, cfg: RuleConfig) -> tuple[int, int]:
    """Instances a week may hold (R8 whatever their lengths) and instances that surely make 40 h."""
    works = [t.work for t in db.tours] or [1]
    cap_units = min(cfg.weekly_max_minutes // max(max(works), 1), cfg.max_block_instances * cfg.max_working_days)
    fte_units = max(1, math.ceil(cfg.fte_threshold_minutes / max(min(works), 1)))
    return cap_units, fte_units


def counts_exact(db: DayBlocks, cfg: RuleConfig) -> bool:
    """Counting instances measures hours exactly: one count fewer is surely part-time, one more surely over the cap."""
    works = [t.work for t in db.tours]
    if not works or any(t.split for t in db.tours):
        return False
    cap_units, fte_units = _units(db, cfg)
    pt_exact = (fte_units - 1) * max(works) < cfg.fte_threshold_minutes
    cap_exact = cap_units == cfg.max_block_instances * cfg.max_working_days or (cap_units + 1) * min(works) > cfg.weekly_max_minutes
    return pt_exact and cap_exact


def build_network(db: DayBlocks, cfg: RuleConfig, track_load: bool = True) -> Network:
    days = db.days
    K = len(days)
    by_day = {d: db.blocks_on(d) for d in days}
    starts = [sorted({b.start for b in by_day[d]}) for d in days]
    cap_units, fte_units = _units(db, cfg)
    grouped: dict[tuple[int, int, int, int], list[BlockType]] = defaultdict(list)
    for k, d in enumerate(days):
        for b in by_day[d]:
            sidx = bisect_left(starts[k], b.start)
            nidx = bisect_left(starts[k + 1], b.end + cfg.rest_min) if k + 1 < K else 0
            grouped[(k, sidx, nidx, b.size)].append(b)
    classes = [
        BlockClass(key, key[0], key[1], key[2], key[3], key[3] >= 3 and key[0] + 1 < K and days[key[0] + 1] == days[key[0]] + 1, tuple(b.index for b in bs))
        for key, bs in sorted(grouped.items())
    ]
    net = Network(days, starts, classes, cap_units=cap_units, fte_units=fte_units, track_load=track_load)
    # A driver at the top of layer k's ladder rested from layer k−1 at the latest.
    latest_end = [max((b.end for b in by_day[days[k - 1]]), default=0) if k else 0 for k in range(K)]
    # Reachable states layer by layer; arcs only between reachable nodes.
    frontier: set[tuple[int, int]] = {(0, 0)}  # (u, f) entering layer 0
    by_k: dict[int, list[int]] = defaultdict(list)
    for ci, c in enumerate(classes):
        by_k[c.k].append(ci)
    for k in range(K):
        J = len(starts[k])
        nxt: set[tuple[int, int]] = set()
        for u, f in sorted(frontier):
            for j in range(J):
                net.arcs.append(Arc((k, u, f, j), (k, u, f, j + 1), "ladder"))
            off_j = bisect_left(starts[k + 1], latest_end[k] + cfg.rest_min) if k + 1 < K else 0
            net.arcs.append(Arc((k, u, f, J), (k + 1, u, 0, off_j if k + 1 < K else 0), "off"))
            nxt.add((u, 0))
            for ci in by_k[k]:
                c = classes[ci]
                if u + c.size > cap_units or (f and c.size >= 3):
                    continue
                f2 = int(c.triple_next)
                u2 = u + c.size if track_load else 0
                net.arcs.append(Arc((k, u, f, c.sidx), (k + 1, u2, f2, c.nidx if k + 1 < K else 0), "work", ci))
                nxt.add((u2, f2))
        frontier = nxt if k + 1 < K else {(u, 0) for u, _ in nxt}
    for u, _ in sorted(frontier):
        if u > 0 or not track_load:
            net.arcs.append(Arc((K, u, 0, 0), (K + 1, u, 0, 0), "end"))
    return net
