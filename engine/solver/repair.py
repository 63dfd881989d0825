"""Repair a plan with as little change as possible: sick calls, pins, frozen tours, completed forecasts.

Input: the week's instances, a parent assignment (instance id → driver; it may
miss instances, e.g. the new tours of a completed forecast), absent drivers
(whole days, or a time range), and instances that must keep their driver
(frozen, pinned). Output: a full legal assignment. Objective, lexicographic:
cover all work; move nothing that is held; fewest new stand-in drivers; fewest
changed assignments (churn); then fewest drivers whose week changes at all.

How: the parent's driver-days become blocks of a `moves.Grid` (one row per
parent driver, then stand-in rows); an absence is a day its driver may not
work; instances the parent did not assign, and those an absence frees, are
dealt out with day moves whose cost adds the churn of every block leaving its
home row. Held blocks never move. Only the days that need it are touched, so
on a sick call only the absent drivers' blocks move when that is possible.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from engine.audits import AuditResult, run_audits
from engine.kpis import Kpis, compute_kpis
from engine.models import CanonicalForecast, DriverSpec, Instance
from engine.hashing import output_hash
from engine.rules import DEFAULT_CONFIG, RuleConfig
from engine.solver import moves
from engine.solver.blocks import BlockType, DayBlocks, enumerate_blocks
from engine.solver.budget import Budget
from engine.solver.construct import greedy_day_blocks
from engine.solver.weeks import ANONYMOUS, FULL_TIME, PART_TIME, STAND_IN, Slot, new_driver_ids


@dataclass(frozen=True)
class Absence:
    """A driver who cannot work: every instance overlapping [start, end) (absolute minutes from the anchor) moves."""

    driver: str
    kind: str = "sick"  # sick | vacation | no_show
    start: int = 0
    end: int = 7 * 1440

    def covers(self, inst: Instance) -> bool:
        return inst.start < self.end and inst.end > self.start


class Change(BaseModel):
    instance_id: str
    from_driver: str | None
    to_driver: str | None


class RepairResult(BaseModel):
    """What a repair would do (preview) or did: the new assignment and what changed."""

    assignments: dict[str, str]
    changes: list[Change]
    churn: float  # instances whose driver changed / instances in the parent
    uncovered_before: list[str]  # instances with no usable driver before: absent, or not assigned in the parent
    uncovered_after: list[str]
    affected_drivers: list[str]  # drivers whose week changed (new stand-ins included)
    new_standins: list[str]
    held_moved: list[str] = Field(default_factory=list)  # frozen/pinned instances that moved (only with an override)
    audits: list[AuditResult]
    kpis: Kpis
    output_hash: str
    verdict: str  # PASS: coverage 100 %, audits 7/7, nothing held moved · FAIL otherwise (with `reasons`)
    reasons: list[str] = Field(default_factory=list)
    seconds: float = 0.0


@dataclass
class RepairRequest:
    forecast: CanonicalForecast
    parent: Mapping[str, str]
    absent: Sequence[Absence] = ()
    held: frozenset[str] = frozenset()  # frozen or pinned: keep their driver
    config: RuleConfig = DEFAULT_CONFIG
    seed: int = 94
    time_limit: float = 10.0
    notes: list[str] = field(default_factory=list)


def churn(parent: Mapping[str, str], assignments: Mapping[str, str]) -> float:
    """SPEC §7: instances whose driver changed / instances in the parent (0 for an empty parent)."""
    if not parent:
        return 0.0
    moved = sum(1 for iid, d in parent.items() if assignments.get(iid) != d)
    return moved / len(parent)


CHURN_PER_INSTANCE = 10**6  # below a stand-in's minute of work, above hours and balance
TOUCH_PER_DRIVER = 10**5
MAX_SWEEPS = 30


def repair(request: RepairRequest) -> RepairResult:
    """Cover everything the absences and the parent leave open, moving as little as the rules allow."""
    started = time.monotonic()
    cfg = request.config
    instances = list(request.forecast.instances)
    by_id = _by_id(instances)
    parent = {iid: d for iid, d in request.parent.items() if iid in by_id}
    budget = Budget(request.time_limit)
    db = enumerate_blocks(instances, cfg)
    tour_of = {iid: t.index for t in db.tours for iid in t.instance_ids}
    by_tours = {b.tours: b for b in db.blocks}
    layer = {d: k for k, d in enumerate(db.days)}
    named = {d.external_id: d for d in request.forecast.drivers}
    drivers = sorted(set(parent.values()))
    absent_days = _absent_days(request, parent, by_id)
    # the parent's driver-days as blocks; what does not form a legal block, or is unassigned, is new work
    cells: dict[tuple[int, int], BlockType] = {}
    orphans: list[str] = sorted(iid for iid in tour_of if iid not in parent)
    for row, driver in enumerate(drivers):
        days: dict[int, list[Instance]] = defaultdict(list)
        for iid, d in parent.items():
            if d == driver and iid in tour_of:
                days[by_id[iid].day].append(by_id[iid])
        for day, insts in days.items():
            key = tuple(tour_of[i.id] for i in sorted(insts, key=lambda i: (i.start, i.id)))
            if key in by_tours:
                cells[(row, layer[day])] = by_tours[key]
            else:
                orphans.extend(i.id for i in insts)
    new_blocks = _blocks_for(db, orphans, tour_of)
    per_day = defaultdict(int)
    for b in new_blocks:
        per_day[b.day] += 1
    idle = sorted(set(named) - set(drivers))
    standins = max(per_day.values(), default=0) + sum(1 for (r, k) in cells if db.days[k] in absent_days.get(drivers[r], ())) + 2
    slots = [_slot(d, named, absent_days.get(d, frozenset())) for d in drivers]
    slots += [_slot(d, named, frozenset()) for d in idle]
    slots += [Slot(None, STAND_IN) for _ in range(standins)]
    grid = moves.Grid(db, slots, [], cfg)
    for (row, k), b in cells.items():
        grid.grid[row, k] = b.index
        grid.home[row, k] = row
        held_here = [iid for iid, d in parent.items() if d == drivers[row] and iid in request.held and by_id[iid].day == db.days[k]]
        grid.held[row, k] = bool(held_here)
    free_row = {k: len(drivers) + len(idle) for k in range(len(db.days))}
    for b in new_blocks:
        k = layer[b.day]
        grid.grid[free_row[k], k] = b.index
        free_row[k] += 1
    grid.churn_cost, grid.touch_cost = CHURN_PER_INSTANCE, TOUCH_PER_DRIVER
    moves.settle(grid, budget, MAX_SWEEPS)
    used = [row for row in range(len(slots)) if (grid.grid[row] != moves.NONE).any()]
    ids = _ids(drivers, idle, named, [row for row in used if row >= len(drivers) + len(idle)])
    assignments = _instances(grid, db, parent, ids)
    return _judge(request, assignments, time.monotonic() - started)


def _absent_days(request: RepairRequest, parent: Mapping[str, str], by_id: Mapping[str, Instance]) -> dict[str, frozenset[int]]:
    """Per absent driver, the days on which some of their instances fall in the absence (held ones do not count)."""
    out: dict[str, set[int]] = defaultdict(set)
    held_days: dict[str, set[int]] = defaultdict(set)
    for iid, d in parent.items():
        inst = by_id[iid]
        if iid in request.held:
            held_days[d].add(inst.day)
        elif any(a.driver == d and a.covers(inst) for a in request.absent):
            out[d].add(inst.day)
    return {d: frozenset(days - held_days[d]) for d, days in out.items()}


def _slot(driver: str, named: Mapping[str, DriverSpec], absent: frozenset[int]) -> Slot:
    spec = named.get(driver)
    kind = ANONYMOUS if spec is None else (PART_TIME if spec.contract_type in ("part_time", "flex") else FULL_TIME)
    return Slot(spec, kind, absent)


def _blocks_for(db: DayBlocks, orphans: Sequence[str], tour_of: Mapping[str, int]) -> list[BlockType]:
    """Greedy legal blocks for the new work (as the first plan builds them)."""
    demand: dict[int, int] = defaultdict(int)
    for iid in orphans:
        demand[tour_of[iid]] += 1
    return [b for day in db.days for b in greedy_day_blocks(db, day, demand)]


def _ids(drivers: list[str], idle: list[str], named: Mapping[str, DriverSpec], new_rows: list[int]) -> dict[int, str]:
    """Row → driver id: the parent's drivers, the idle named ones, then new ids (numbered on) that collide with none."""
    out = dict(enumerate(drivers + idle))
    out.update(zip(new_rows, new_driver_ids(len(new_rows), set(drivers) | set(idle), bool(named)), strict=True))
    return out


def _instances(grid: moves.Grid, db: DayBlocks, parent: Mapping[str, str], ids: Mapping[int, str]) -> dict[str, str]:
    """Concrete instances per cell: a driver keeps the very instances it had of a tour type, others take what is left."""
    pools: dict[int, list[str]] = {t.index: list(t.instance_ids) for t in db.tours}
    want: list[tuple[str, int]] = []  # (driver, tour type) per worked tour
    for row in range(len(grid.slots)):
        for x in grid.grid[row]:
            if x != moves.NONE:
                want.extend((ids[row], t) for t in db.blocks[int(x)].tours)
    out: dict[str, str] = {}
    left: list[tuple[str, int]] = []
    for driver, t in want:
        mine = next((iid for iid in pools[t] if parent.get(iid) == driver), None)
        if mine is None:
            left.append((driver, t))
        else:
            pools[t].remove(mine)
            out[mine] = driver
    for driver, t in left:
        out[pools[t].pop(0)] = driver
    return out


def _judge(request: RepairRequest, assignments: dict[str, str], seconds: float) -> RepairResult:
    """Audit and describe a candidate assignment against its parent."""
    forecast, cfg = request.forecast, request.config
    instances = list(forecast.instances)
    parent = dict(request.parent)
    absent_ids = {iid for iid, d in parent.items() for a in request.absent if a.driver == d and a.covers(_by_id(instances)[iid])}
    before = sorted({i.id for i in instances if i.id not in parent} | absent_ids)
    after = sorted(i.id for i in instances if i.id not in assignments)
    changes = [
        Change(instance_id=i.id, from_driver=parent.get(i.id), to_driver=assignments.get(i.id))
        for i in sorted(instances, key=lambda i: (i.start, i.id))
        if parent.get(i.id) != assignments.get(i.id)
    ]
    affected = sorted({c.from_driver for c in changes if c.from_driver} | {c.to_driver for c in changes if c.to_driver})
    known = set(parent.values()) | {d.external_id for d in forecast.drivers}
    new_standins = sorted({d for d in assignments.values() if d not in known})
    held_moved = sorted(iid for iid in request.held if parent.get(iid) is not None and assignments.get(iid) != parent.get(iid))
    audits = run_audits(instances, assignments, cfg, forecast.drivers)
    kpis = compute_kpis(instances, assignments, cfg, audits)
    reasons: list[str] = []
    if after:
        reasons.append(f"{len(after)} instance(s) still uncovered")
    failed = [a.name for a in audits if a.status == "FAIL"]
    if failed:
        reasons.append("audits failing: " + ", ".join(failed))
    if held_moved:
        reasons.append(f"{len(held_moved)} held (frozen or pinned) instance(s) moved")
    return RepairResult(
        assignments=assignments,
        changes=changes,
        churn=round(churn(parent, assignments), 4),
        uncovered_before=before,
        uncovered_after=after,
        affected_drivers=affected,
        new_standins=new_standins,
        held_moved=held_moved,
        audits=audits,
        kpis=kpis,
        output_hash=output_hash(assignments, cfg.config_hash()),
        verdict="FAIL" if reasons else "PASS",
        reasons=reasons,
        seconds=round(seconds, 3),
    )


def _by_id(instances: Sequence[Instance]) -> dict[str, Instance]:
    return {i.id: i for i in instances}
