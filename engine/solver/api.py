"""`solve(forecast)`: the anytime, deterministic weekly roster solver.

Stages, each keeping the best legal plan so far (compared by drivers, then
part-timers, then split blocks, then the heaviest week); a stage runs only
while the plan is not yet at the lower bound with no part-timers:
1. construct: few blocks per day, min-cost chaining (the first plan, < 1 s),
   then a local search that lifts part-timers (`local.py`);
2. drivers (only above the bound): CP-SAT on the week network without load
   tracking; decoding balances loads and cuts any week breaking R8/R9;
3. part-timers: CP-SAT on the full counting network (load tracked per state)
   minimising drivers, part-timers, split blocks and drivers at the cap.
OPTIMAL means drivers and part-timers are proven best (at the bound with no
part-timers, or proven by CP-SAT); split blocks and balance are best effort.

Determinism: every stage is built from sorted data; CP-SAT runs with the seed,
one worker (`interleave_search` would be used for more) and stops on a
deterministic-time budget derived from `time_limit` only; the local search
stops on a count of pairs tried. Wall-clock time is only a safety cap: when it
cuts a stage the status is TIME_LIMIT and the result may depend on the machine.
The plan is audited before it is returned; a plan failing any audit is never
returned.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from engine.audits import AuditResult, passed, run_audits
from engine.bounds import LowerBound, lower_bound
from engine.kpis import Kpis, compute_kpis
from engine.models import CanonicalForecast
from engine.plan import output_hash
from engine.rules import DEFAULT_CONFIG, RuleConfig
from engine.solver.blocks import BlockType, DayBlocks, enumerate_blocks
from engine.solver.construct import construct
from engine.solver.decode import flow_of_weeks, weeks_of_flow
from engine.solver.improve import CancelToken, CountingModel, FlowSolution, ModelOutcome
from engine.solver.local import improve_weeks
from engine.solver.network import build_network
from engine.solver.weeks import legal_parts

SolveStatus = Literal["OPTIMAL", "FEASIBLE", "STOPPED", "TIME_LIMIT", "INFEASIBLE"]
Progress = Callable[[int, int, int, float], None]  # best drivers, best PT, bound, elapsed s
WORKERS = 1  # one CP-SAT worker: reproducible by construction, measured faster here, leaves a core for the UI
DET_PER_SECOND = 0.15  # deterministic-time units granted per second of time limit
DRIVER_STAGE_SHARE = 0.15


class Infeasibility(BaseModel):
    instance_id: str
    rule: str
    message: str


class Timings(BaseModel):
    first_plan_s: float
    total_s: float


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
    stages: list[str] = Field(default_factory=list)

    @property
    def audits_passed(self) -> int:
        return passed(self.audits)


def _score(weeks: list[list[BlockType]], cfg: RuleConfig) -> tuple[int, int, int, int]:
    works = [sum(b.work for b in w) for w in weeks]
    pt = sum(1 for w in works if w < cfg.fte_threshold_minutes)
    splits = sum(b.is_split for w in weeks for b in w)
    return (len(weeks), pt, splits, max(works, default=0))


def _assign(db: DayBlocks, weeks: list[list[BlockType]]) -> dict[str, str]:
    """Concrete instances for each block, drivers numbered D001… in week order."""
    ordered = sorted(weeks, key=lambda w: [(b.day, b.start, b.end, b.tours) for b in sorted(w, key=lambda b: b.day)])
    pools = {t.index: list(t.instance_ids) for t in db.tours}
    cursor: dict[int, int] = defaultdict(int)
    width = max(3, len(str(len(ordered))))
    out: dict[str, str] = {}
    for n, week in enumerate(ordered, start=1):
        driver = f"D{n:0{width}d}"
        for b in sorted(week, key=lambda b: b.day):
            for t in b.tours:
                out[pools[t][cursor[t]]] = driver
                cursor[t] += 1
    return out


class _Best:
    """The best legal plan seen so far, with progress reporting."""

    def __init__(self, cfg: RuleConfig, bound: int, progress: Progress | None, started: float) -> None:
        self.cfg, self.bound, self.progress, self.started = cfg, bound, progress, started
        self.weeks: list[list[BlockType]] = []
        self.score: tuple[int, int, int, int] | None = None

    def offer(self, weeks: list[list[BlockType]]) -> None:
        legal = [part for w in weeks for part in legal_parts(w, self.cfg)]
        score = _score(legal, self.cfg)
        if self.score is None or score < self.score:
            self.weeks, self.score = legal, score
            if self.progress is not None:
                self.progress(score[0], score[1], self.bound, time.monotonic() - self.started)


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
    started = time.monotonic()
    deadline = started + time_limit
    instances = list(forecast.instances)
    db = enumerate_blocks(instances, config)
    unworkable = db.impossible
    impossible = {iid for iid, _ in unworkable}
    coverable = [i for i in instances if i.id not in impossible]
    if impossible:
        db = enumerate_blocks(coverable, config)
    bound = lower_bound(coverable, config)
    best = _Best(config, bound.value, progress, started)
    stages: list[str] = []
    best.offer(construct(db, config, seed) if coverable else [])
    first_plan_s = time.monotonic() - started
    wall_limited = _polish(best, config, deadline)
    stages.append(f"construct: {best.score}")
    proven = False
    stopped = _cancelled(cancel)
    det_total = max(1.0, time_limit * DET_PER_SECOND)
    plan_stages: list[tuple[bool, float]] = []
    if coverable and best.score is not None and best.score[0] > bound.value:
        plan_stages.append((False, det_total * DRIVER_STAGE_SHARE))
    plan_stages.append((True, det_total - sum(share for _, share in plan_stages)))
    for track_load, det_time in plan_stages:
        if stopped or not coverable or best.score is None or best.score[:2] == (bound.value, 0):
            break
        remaining = deadline - time.monotonic() - _reserve(len(instances))
        if remaining <= 0.5:
            wall_limited = True
            break
        outcome = _improve(db, config, best, seed, det_time, remaining, bound.value, track_load, cancel)
        limited = outcome.wall_limited
        wall_limited = _polish(best, config, deadline) or limited or wall_limited
        stages.append(
            f"{'part-timers' if track_load else 'drivers'}: {outcome.status} {best.score} "
            f"det {outcome.deterministic_time:.1f}/{det_time:.1f} wall {outcome.wall_time:.1f}s"
        )
        stopped = _cancelled(cancel)
        proven = proven or (track_load and outcome.status == "OPTIMAL" and not limited and not stopped)
    status: SolveStatus = "FEASIBLE"
    if proven or (best.score is not None and best.score[:2] == (bound.value, 0)):
        status = "OPTIMAL"
    elif stopped:
        status = "STOPPED"
    elif wall_limited:
        status = "TIME_LIMIT"
    assignments = _assign(db, best.weeks)
    audits = run_audits(instances, assignments, config)
    if any(a.status == "FAIL" for a in audits if a.name != "coverage") or (not impossible and passed(audits) != len(audits)):
        raise RuntimeError(f"solver produced a plan failing an audit: {[a.name for a in audits if a.status == 'FAIL']}")
    infeasible = [Infeasibility(instance_id=iid, rule=b.rule, message=b.message) for iid, b in unworkable]
    if infeasible:
        status = "INFEASIBLE"
    kpis = compute_kpis(instances, assignments, config, audits)
    cfg_hash = config.config_hash()
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
        timings=Timings(first_plan_s=round(first_plan_s, 3), total_s=round(time.monotonic() - started, 3)),
        wall_limited=wall_limited,
        infeasible=infeasible,
        stages=stages,
    )


def _reserve(n: int) -> float:
    """Wall time kept back for decoding, audits and KPIs after the last stage."""
    return 1.0 + n / 2000


def _polish(best: _Best, cfg: RuleConfig, deadline: float) -> bool:
    """Local search on the best plan; True when its wall-clock safety cap fired."""
    cap = max(1.0, min(10.0, deadline - time.monotonic()))
    weeks, limited = improve_weeks(best.weeks, cfg, max_seconds=cap)
    best.offer(weeks)
    return limited


def _cancelled(cancel: CancelToken | None) -> bool:
    return cancel is not None and cancel.is_set()


def _improve(
    db: DayBlocks,
    cfg: RuleConfig,
    best: _Best,
    seed: int,
    det_time: float,
    wall: float,
    bound: int,
    track_load: bool,
    cancel: CancelToken | None,
) -> ModelOutcome:
    net = build_network(db, cfg, track_load=track_load)
    model = CountingModel(db, net, max_drivers=best.score[0] if best.score else None)
    model.add_lower_bound(bound)
    if not track_load:  # the full model searches better without a hint (measured on KW51)
        hint = flow_of_weeks(net, best.weeks)
        if hint is not None:
            model.hint(hint)

    def on_solution(sol: FlowSolution) -> None:
        best.offer(weeks_of_flow(db, net, sol))

    outcome = model.solve(
        seed=seed,
        deterministic_time=det_time,
        wall_time=wall,
        workers=WORKERS,
        on_solution=on_solution,
        cancel=cancel,
    )
    if outcome.solution is not None:
        on_solution(outcome.solution)
    return outcome
