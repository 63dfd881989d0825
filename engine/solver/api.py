"""`solve(forecast)`: the anytime, deterministic weekly roster solver.

Stages, each offering its plan to the best so far (compared by open weeks,
drivers, part-timers, split blocks, then the heaviest week), each only while
it can still help:
1. blocks: tour types and legal block types (`blocks.py`);
2. construct: greedy day blocks chained day by day, the first legal plan;
3. moves: exact assignment moves put the weeks on the named drivers (or
   anonymous weeks), repair R8–R10 and lift part-timers (`moves.py`);
4. lp: the week flow's LP relaxation over every block type, a driver bound
   valid on every week shape (`flow.py`);
5. integer: the flow as an integer model on the block types the LP uses,
   then moves again on its weeks;
6. exact part-timers: where instance counts measure hours exactly, CP-SAT on
   the counting network proves the fewest part-timers (`counting.py`).

Bounded and observable (`progress.py`): every stage checks one `Budget`
(deadline and cancel) inside its loops; a heartbeat thread reports phase,
best plan and bound every half second and interrupts a running LP/MIP when the
budget runs out. Deterministic: stages stop on deterministic budgets (node
limits, sweep counts, CP-SAT deterministic time, one worker); the wall clock
is only a safety cap: a stage it cuts keeps its last whole sweep, or nothing
(`wall_limited`). The plan is audited with the forecast's drivers before it is
returned; a plan failing any audit is never returned.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel, Field

from engine.audits import AuditResult, passed, run_audits
from engine.bounds import LowerBound, lower_bound
from engine.kpis import Kpis, compute_kpis
from engine.models import CanonicalForecast, DriverSpec
from engine.hashing import output_hash
from engine.rules import DEFAULT_CONFIG, RuleConfig
from engine.solver import flow, moves
from engine.solver.blocks import BlockType, DayBlocks, Stopped, enumerate_blocks
from engine.solver.budget import Budget, CancelToken
from engine.solver.progress import Heart, Progress, StageReport, Stages
from engine.solver.construct import alone, construct
from engine.solver.weeks import (
    ANONYMOUS, PART_TIME, STAND_IN, Slot, anonymous_slots, legal_parts, named_slots, new_driver_ids, week_is_legal,
)

log = logging.getLogger("engine.solver")

SolveStatus = Literal["OPTIMAL", "FEASIBLE", "STOPPED", "TIME_LIMIT", "INFEASIBLE"]
WORKERS = 1  # one CP-SAT worker: reproducible by construction, leaves a core for the UI
DET_PER_SECOND = 0.15  # CP-SAT deterministic-time units granted per second of time limit
MIP_NODES = 20_000  # SCIP node limit of the integer stage (deterministic)
MAX_SWEEPS = 40  # assignment-move sweeps per move stage (deterministic)
SPARES = 3  # anonymous weeks that open only when moves cannot repair a breach otherwise


class Infeasibility(BaseModel):
    instance_id: str
    rule: str
    message: str


class Timings(BaseModel):
    first_plan_s: float
    total_s: float


class StandIn(BaseModel):
    """An open driver-week the named workforce could not take: who is still needed, when."""

    driver_id: str
    days: list[int]
    hours: float


class SolveResult(BaseModel):
    status: SolveStatus
    seed: int
    input_hash: str
    solver_config_hash: str
    output_hash: str
    assignments: dict[str, str]
    kpis: Kpis
    lower_bound: LowerBound
    gap: float
    audits: list[AuditResult]
    timings: Timings
    wall_limited: bool = False
    infeasible: list[Infeasibility] = Field(default_factory=list)
    stages: list[StageReport] = Field(default_factory=list)
    standins: list[StandIn] = Field(default_factory=list)
    pt_lower_bound: int = 0

    @property
    def audits_passed(self) -> int:
        return passed(self.audits)


Plan = list[tuple[Slot, list[BlockType]]]
Score = tuple[int, int, int, int, int]  # open weeks, drivers, part-timers, split blocks, heaviest week


class _Best:
    """The best legal plan seen so far; the heartbeat reads it from another thread."""

    def __init__(self, cfg: RuleConfig, drivers: list[DriverSpec]) -> None:
        self.cfg = cfg
        self.db: DayBlocks | None = None
        self.named = bool(drivers)
        self.plan: Plan = []
        self.score: Score | None = None
        self.cuts = 0  # weeks cut apart as a last resort, over all offers
        self.lock = threading.Lock()

    def offer(self, plan: Plan) -> bool:
        if not self.named:  # spares of an anonymous plan are plain anonymous weeks once used
            plan = [(Slot(None, ANONYMOUS), w) for _, w in plan]
        legal, cuts = self._legalise(plan)
        score = _score(legal, self.cfg)
        with self.lock:
            if self.score is not None and score >= self.score:
                return False
            self.plan, self.score = legal, score
            self.cuts = cuts
        return True

    def _legalise(self, plan: Plan) -> tuple[Plan, int]:
        """Keep legal weeks; cut any other into legal anonymous parts (logged: the moves should have fixed it)."""
        out: Plan = []
        cuts = 0
        filler = Slot(None, STAND_IN if self.named else ANONYMOUS)
        for slot, week in plan:
            if not week:
                continue
            if week_is_legal(week, slot, self.cfg, self.db):
                out.append((slot, week))
                continue
            cuts += 1
            out.extend((filler, part) for part in legal_parts(week, self.cfg))
        if cuts:
            log.warning("cut %d week(s) breaking R8–R10 into legal parts (last resort)", cuts)
        return out, cuts


def _score(plan: Plan, cfg: RuleConfig) -> Score:
    works = [(slot, sum(b.work for b in w)) for slot, w in plan]
    standins = sum(1 for slot, _ in works if slot.kind == STAND_IN)
    pt = sum(1 for slot, w in works if slot.kind != PART_TIME and w < cfg.fte_threshold_minutes)
    splits = sum(b.is_split for _, w in plan for b in w)
    return (standins, len(plan), pt, splits, max((w for _, w in works), default=0))


def solve(
    forecast: CanonicalForecast,
    *,
    seed: int = 94,
    time_limit: float = 60.0,
    config: RuleConfig = DEFAULT_CONFIG,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> SolveResult:
    """Cover every instance with as few drivers (then part-timers, split blocks) as the rules allow."""
    instances = list(forecast.instances)
    budget = Budget(time_limit, cancel, reserve=_reserve(len(instances)))
    drivers = list(forecast.drivers)
    best = _Best(config, drivers)
    with Heart(best, budget, progress) as heart:
        stages = Stages(heart, best)
        db, unworkable = _week_blocks(stages, instances, config, budget)
        coverable_ids = {i for t in db.tours for i in t.instance_ids}
        bound = lower_bound([i for i in instances if i.id in coverable_ids], config)
        heart.bound = bound.value
        best.db = db
        first_plan_s = _run_stages(stages, db, config, drivers, bound, budget, seed, time_limit)
    stopped = budget.cancelled
    wall_limited = budget.wall_fired and not stopped
    return _result(forecast, instances, best, bound, stages.reports, config, seed, budget, first_plan_s, stopped, wall_limited, unworkable)


def _week_blocks(stages: Stages, instances: list, cfg: RuleConfig, budget: Budget) -> tuple[DayBlocks, tuple]:
    """Tour and block types of the coverable instances, and the instances no block can hold (with the rule)."""
    state: dict[str, object] = {}

    def blocks() -> tuple[str, str]:
        try:
            db = enumerate_blocks(instances, cfg, stop=budget.out)
            status = "DONE"
        except Stopped:  # no time for pairs and triples: single blocks still make a legal plan
            db = enumerate_blocks(instances, cfg, singles_only=True)
            status = "STOPPED"
        state["unworkable"] = db.impossible
        if db.impossible:
            impossible = {iid for iid, _ in db.impossible}
            db = enumerate_blocks([i for i in instances if i.id not in impossible], cfg, singles_only=status != "DONE")
        state["db"] = db
        return status, f"{len(db.tours)} tour types, {len(db.blocks)} block types"

    stages.run("blocks", blocks)
    return state["db"], state["unworkable"]  # type: ignore[return-value]


def _run_stages(
    stages: Stages, db: DayBlocks, cfg: RuleConfig, drivers: list[DriverSpec], bound: LowerBound, budget: Budget, seed: int, time_limit: float
) -> float:
    """All stages in order, each only while it can still help; returns the time to the first legal plan."""
    best = stages.best

    total = sum(t.work * t.demand for t in db.tours)

    def finished() -> bool:
        return budget.out() or (best.score is not None and _proven(best.score, bound.value, total, cfg))

    whole = stages.reports[0].status == "DONE"  # the block stage finished: pairs and triples are known
    stages.run("construct", lambda: _first(db, cfg, drivers, best, budget, whole))
    first_plan_s = budget.elapsed()
    if not db.blocks:
        return first_plan_s
    if not finished():
        first_weeks = [w for _, w in best.plan]
        stages.run("moves (first plan)", lambda: _moves(db, cfg, drivers, best, budget, seed, first_weeks))
    if not finished():
        lp = _lp_stage(stages, db, cfg, bound, budget)
        weeks = _integer_stage(stages, db, cfg, lp, budget) if lp is not None and not budget.out() else None
        if weeks is not None and not finished():
            stages.run("moves (integer plan)", lambda: _moves(db, cfg, drivers, best, budget, seed, weeks))
    _exact_pt(stages, db, cfg, bool(drivers), bound, budget, seed, time_limit)
    return first_plan_s


def _first(db: DayBlocks, cfg: RuleConfig, drivers: list[DriverSpec], best: _Best, budget: Budget, whole: bool) -> tuple[str, str]:
    """The first legal plan: chained greedy blocks (finished unless cancelled: < 1 s on 2,500 tours), else every instance alone."""
    weeks = construct(db, cfg, budget.cancel_requested) if whole else alone(db)
    fallback = not whole or budget.cancelled
    if fallback:
        log.warning("first plan: every instance alone (%s)", "cancelled" if budget.cancelled else "no time to enumerate blocks")
    if drivers:
        grid = moves.Grid(db, named_slots(drivers, len(weeks)), [], cfg)
        grid.hard = True  # a week goes to a named driver only where it is legal for them
        grid.place(weeks)
        best.offer(grid.weeks())
    else:
        best.offer([(Slot(None, ANONYMOUS), w) for w in weeks])
    if fallback:
        return "STOPPED", f"{len(weeks)} weeks: every instance alone (stopped before the blocks were known)"
    return "DONE", f"{len(weeks)} weeks"


def _moves(db: DayBlocks, cfg: RuleConfig, drivers: list[DriverSpec], best: _Best, budget: Budget, seed: int, weeks: list[list[BlockType]]) -> tuple[str, str]:
    """Assignment moves from `weeks`: onto the named drivers (breaches repaired there) or anonymous weeks."""
    if drivers:
        grid = moves.Grid(db, named_slots(drivers, len(weeks) + SPARES), [], cfg)
        grid.place(weeks)
    else:
        grid = moves.Grid(db, anonymous_slots(len(weeks), SPARES), weeks, cfg)
    sweeps, _ = moves.improve(grid, budget, seed, MAX_SWEEPS)
    best.offer(grid.weeks())  # the best whole sweep: a checkpoint even when the budget cut the stage
    if budget.out():
        return ("STOPPED" if budget.cancelled else "TIME_LIMIT"), f"cut short after {sweeps} whole sweeps (the last one counts)"
    return "DONE", f"{sweeps} sweeps"


def _lp_stage(stages: Stages, db: DayBlocks, cfg: RuleConfig, bound: LowerBound, budget: Budget) -> flow.LpResult | None:
    out: list[flow.LpResult] = []

    def lp() -> tuple[str, str]:
        try:
            result = flow.solve_lp(flow.build_network(db, cfg), budget, stages.heart)
        except Stopped:
            result = None
        if result is None:
            return "STOPPED", "interrupted: no LP bound"
        out.append(result)
        if result.bound > bound.value:
            bound.value = stages.heart.bound = result.bound
        bound.lp = round(result.value, 3)
        return "OPTIMAL", f"LP {result.value:.2f} → bound {result.bound} on {len(db.blocks)} block types"

    stages.run("lp", lp)
    return out[0] if out else None


def _integer_stage(stages: Stages, db: DayBlocks, cfg: RuleConfig, lp: flow.LpResult, budget: Budget) -> list[list[BlockType]] | None:
    """The integer flow on the LP's block types, widened until it reaches the LP bound."""
    found: list[list[list[BlockType]]] = []

    def integer() -> tuple[str, str]:
        notes: list[str] = []
        status = "NO_PLAN"
        for keep in flow.widenings(db, lp.used):
            try:
                solved = flow.solve_integer(flow.build_network(db, cfg, keep), budget, stages.heart, lp.bound, MIP_NODES)
            except Stopped:
                solved = None
            if solved is None:
                notes.append(f"no plan on {len(keep)} block types")
                if budget.out():
                    return "STOPPED", "; ".join(notes)
                continue
            weeks, status = solved
            notes.append(f"{len(weeks)} weeks on {len(keep)} block types")
            if not found or len(weeks) < len(found[0]):
                found[:] = [weeks]
            if len(weeks) <= lp.bound:
                break
        return status, "; ".join(notes)

    stages.run("integer", integer)
    return found[0] if found else None


def _exact_pt(stages: Stages, db: DayBlocks, cfg: RuleConfig, named: bool, bound: LowerBound, budget: Budget, seed: int, time_limit: float) -> None:
    """CP-SAT on the counting network, where counts are hours exactly and part-timers remain."""
    from engine.solver.network import build_network, counts_exact

    best = stages.best
    if best.score is None or best.score[2] == 0 or named or budget.out():
        return
    from engine.solver.counting import CountingModel  # CP-SAT loads only when this stage runs
    from engine.solver.decode import weeks_of_flow

    if not counts_exact(db, cfg):
        stages.skip("exact part-timers", "instance counts do not measure hours exactly on this week")
        return

    def exact() -> tuple[str, str]:
        net = build_network(db, cfg, track_load=True)
        model = CountingModel(db, net, max_drivers=best.score[1] if best.score else None)
        model.add_lower_bound(bound.value)

        def on_solution(sol: object) -> None:
            best.offer([(Slot(None, ANONYMOUS), w) for w in weeks_of_flow(db, net, sol)])

        outcome = model.solve(seed=seed, deterministic_time=max(1.0, time_limit * DET_PER_SECOND), budget=budget, workers=WORKERS,
                              on_solution=on_solution)
        if outcome.solution is not None:
            on_solution(outcome.solution)
        return outcome.status, f"det {outcome.deterministic_time:.1f} wall {outcome.wall_time:.1f}s"

    stages.run("exact part-timers", exact)


def _reserve(n: int) -> float:
    """Wall time kept back for assignments, audits and KPIs after the last stage."""
    return 0.3 + n / 5000


def _driver_ids(plan: Plan) -> list[tuple[str, list[BlockType]]]:
    """Named drivers keep their ids; anonymous weeks are D001… (or open-01… beside named drivers), in week order."""
    named = {slot.spec.external_id for slot, _ in plan if slot.spec is not None}
    anonymous = sorted((w for slot, w in plan if slot.spec is None), key=lambda w: [(b.day, b.start, b.end, b.tours) for b in sorted(w, key=lambda b: b.day)])
    out = [(slot.spec.external_id, w) for slot, w in sorted(plan, key=lambda p: p[0].spec.external_id if p[0].spec else "") if slot.spec is not None]
    out.extend(zip(new_driver_ids(len(anonymous), named, bool(named)), anonymous, strict=True))
    return out


def _assign(db: DayBlocks, plan: list[tuple[str, list[BlockType]]]) -> dict[str, str]:
    """Concrete instances for each block: the interchangeable instances of a tour type dealt out in order."""
    pools = {t.index: list(t.instance_ids) for t in db.tours}
    cursor: dict[int, int] = defaultdict(int)
    out: dict[str, str] = {}
    for driver, week in plan:
        for b in sorted(week, key=lambda b: b.day):
            for t in b.tours:
                out[pools[t][cursor[t]]] = driver
                cursor[t] += 1
    return out


def _result(
    forecast: CanonicalForecast, instances: list, best: _Best, bound: LowerBound, reports: list[StageReport], cfg: RuleConfig, seed: int,
    budget: Budget, first_plan_s: float, stopped: bool, wall_limited: bool, unworkable: tuple,
) -> SolveResult:
    plan = _driver_ids(best.plan)
    assignments = _assign(best.db, plan)
    audits = run_audits(instances, assignments, cfg, forecast.drivers)
    impossible = {iid for iid, _ in unworkable}
    if any(a.status == "FAIL" for a in audits if a.name != "coverage") or (not impossible and passed(audits) != len(audits)):
        raise RuntimeError(f"solver produced a plan failing an audit: {[a.name for a in audits if a.status == 'FAIL']}")
    infeasible = [Infeasibility(instance_id=iid, rule=b.rule, message=b.message) for iid, b in unworkable]
    score = best.score or (0, 0, 0, 0, 0)
    proven = any(r.name == "exact part-timers" and r.status == "OPTIMAL" for r in reports)
    total = sum(i.work_minutes for i in instances if i.id not in impossible)
    status: SolveStatus = "FEASIBLE"
    if infeasible:
        status = "INFEASIBLE"
    elif _proven(score, bound.value, total, cfg) or (proven and score[:2] == (0, bound.value) and not wall_limited):
        status = "OPTIMAL"
    elif stopped:
        status = "STOPPED"
    elif wall_limited:
        status = "TIME_LIMIT"
    kpis = compute_kpis(instances, assignments, cfg, audits)
    cfg_hash = cfg.config_hash()
    named = {d.external_id for d in forecast.drivers}
    standins = [
        StandIn(driver_id=ident, days=sorted({b.day for b in w}), hours=round(sum(b.work for b in w) / 60, 2))
        for ident, w in plan if forecast.drivers and ident not in named
    ]
    if best.cuts:
        reports.append(StageReport(name="fallback", status="DONE", seconds=0.0, note=f"{best.cuts} week(s) cut into legal parts"))
    return SolveResult(
        status=status,
        seed=seed,
        input_hash=forecast.input_hash,
        solver_config_hash=cfg_hash,
        output_hash=output_hash(assignments, cfg_hash),
        assignments=assignments,
        kpis=kpis,
        lower_bound=bound,
        gap=round(bound.gap(kpis.drivers), 4),
        audits=audits,
        timings=Timings(first_plan_s=round(first_plan_s, 3), total_s=round(budget.elapsed(), 3)),
        wall_limited=wall_limited,
        infeasible=infeasible,
        stages=reports,
        standins=standins,
        pt_lower_bound=_pt_lower_bound(bound.value, total, cfg) if kpis.drivers == bound.value else 0,
    )


def _pt_lower_bound(drivers: int, total_work: int, cfg: RuleConfig) -> int:
    """With the fewest drivers, p part-timers leave drivers − p FTE weeks of ≥ 40 h: p ≥ drivers − total/40 h."""
    return max(0, drivers - total_work // cfg.fte_threshold_minutes)


def _proven(score: Score, bound: int, total_work: int, cfg: RuleConfig) -> bool:
    """No stand-ins, drivers at the bound, part-timers at their bound for that many drivers: nothing better exists."""
    return score[0] == 0 and score[1] == bound and score[2] <= _pt_lower_bound(bound, total_work, cfg)
