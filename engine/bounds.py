"""A lower bound on the number of drivers, so a plan's gap to the best possible is visible.

Three valid bounds, the largest wins:
- hours: total work over the most work one driver can legally carry in a week;
- per day: peak concurrency and ⌈tours/3⌉ of the busiest day;
- path cover: every driver's week is a path in the DAG "one driver can work j
  right after i" (same-day legal link R4, or a later day with rest ≥ R6), so the
  minimum path cover (n − maximum bipartite matching) bounds the driver count.
  Equal (day, start, end) instances are merged and the matching is a max flow
  with capacities; later-day successors are reached through a sorted "ladder"
  per day so the graph stays linear in size.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from engine import rules
from engine.models import Instance
from engine.rules import DEFAULT_CONFIG, RuleConfig

_INF = 1 << 40


class LowerBound(BaseModel):
    value: int
    hours: int
    per_day: int
    path_cover: int
    best_weekly_minutes: int
    lp: float | None = None  # the week flow's LP optimum, when the solver computed it (raises `value`)

    def gap(self, drivers: int) -> float:
        """drivers / bound − 1 (0 when there is nothing to cover)."""
        return drivers / self.value - 1 if self.value else 0.0


def best_weekly_load(instances: Sequence[Instance], cfg: RuleConfig = DEFAULT_CONFIG) -> int:
    """Most minutes one driver can carry: a sum of real instance lengths under the cap and the day structure."""
    per_day: dict[int, list[int]] = defaultdict(list)
    for inst in instances:
        per_day[inst.day].append(inst.work_minutes)
    day_max = sorted((sum(sorted(w, reverse=True)[: cfg.max_block_instances]) for w in per_day.values()), reverse=True)
    limit = min(cfg.weekly_max_minutes, sum(day_max[: cfg.max_working_days]))
    reachable = 1  # bit k set ⇔ k minutes reachable as a sum of distinct instances
    mask = (1 << (limit + 1)) - 1
    for work, count in sorted(Counter(i.work_minutes for i in instances).items()):
        for _ in range(min(count, limit // work if work else 0)):
            reachable = (reachable | (reachable << work)) & mask
    return reachable.bit_length() - 1


def per_day_bound(instances: Sequence[Instance], cfg: RuleConfig = DEFAULT_CONFIG) -> int:
    """Busiest day: instances running at once, and tours over the block size."""
    by_day: dict[int, list[Instance]] = defaultdict(list)
    for inst in instances:
        by_day[inst.day].append(inst)
    best = 0
    for insts in by_day.values():
        events = sorted([(i.start, 1) for i in insts] + [(i.end, -1) for i in insts], key=lambda e: (e[0], e[1]))
        cur = peak = 0
        for _, delta in events:
            cur += delta
            peak = max(peak, cur)
        best = max(best, peak, math.ceil(len(insts) / cfg.max_block_instances))
    return best


def path_cover_bound(instances: Sequence[Instance], cfg: RuleConfig = DEFAULT_CONFIG) -> int:
    """Minimum path cover of the "can work j after i" DAG, via max flow on merged instance types."""
    from ortools.graph.python import max_flow  # here, not at the top: the cockpit starts without OR-Tools

    if not instances:
        return 0
    counts = Counter((i.day, i.start, i.end) for i in instances)
    types = sorted(counts)
    n = len(types)
    source, sink = 2 * n, 2 * n + 1
    flow = max_flow.SimpleMaxFlow()
    for k, t in enumerate(types):
        flow.add_arc_with_capacity(source, k, counts[t])  # out-copy
        flow.add_arc_with_capacity(n + k, sink, counts[t])  # in-copy
    by_day: dict[int, list[int]] = defaultdict(list)
    for k, (day, _, _) in enumerate(types):
        by_day[day].append(k)  # already sorted by start within the day
    ladder_base = 2 * n + 2
    ladder: dict[int, int] = {}  # type index → its ladder node
    for day, ks in sorted(by_day.items()):
        for pos, k in enumerate(ks):
            ladder[k] = ladder_base + k
            flow.add_arc_with_capacity(ladder[k], n + k, _INF)
            if pos + 1 < len(ks):
                flow.add_arc_with_capacity(ladder[k], ladder_base + ks[pos + 1], _INF)
    days = sorted(by_day)
    for k, (day, _, end) in enumerate(types):
        for j in by_day[day]:
            d2, s2, _ = types[j]
            if rules.classify_gap(s2 - end, cfg) in ("regular", "split"):
                flow.add_arc_with_capacity(k, n + j, _INF)
        for later in (d for d in days if d > day):
            first = next((j for j in by_day[later] if types[j][1] - end >= cfg.rest_min), None)
            if first is not None:
                flow.add_arc_with_capacity(k, ladder[first], _INF)
    flow.solve(source, sink)
    return len(instances) - flow.optimal_flow()


def lower_bound(instances: Sequence[Instance], cfg: RuleConfig = DEFAULT_CONFIG) -> LowerBound:
    """The best of the three bounds (all valid: no legal plan needs fewer drivers)."""
    total = sum(i.work_minutes for i in instances)
    load = best_weekly_load(instances, cfg) if instances else 0
    hours = math.ceil(total / load) if load else (1 if instances else 0)
    per_day = per_day_bound(instances, cfg)
    cover = path_cover_bound(instances, cfg)
    return LowerBound(value=max(hours, per_day, cover), hours=hours, per_day=per_day, path_cover=cover, best_weekly_minutes=load)
