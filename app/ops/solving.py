"""Solve a stored forecast as a run: QUEUED → SOLVING → SOLVED → AUDITING → AUDITED (or FAILED).

No connection is open while the engine works: each state step is one short
transaction, the solve runs between them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.errors import EXIT_FAILED, UserError
from app.ops.policy import PLANNERS, refuse_unless, role_check
from app.ops.session import Session
from engine.audits import run_audits
from engine.rules import DEFAULT_CONFIG
from storage.models import AuditResult, NewPlan, PlanResult, RunSummary

if TYPE_CHECKING:
    from engine.solver.api import CancelToken, Progress, SolveResult

StateCallback = Callable[[str], None]


def solve_forecast(
    s: Session,
    forecast_id: int,
    *,
    seed: int = 94,
    time_limit: float = 60.0,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    on_state: StateCallback | None = None,
) -> tuple[RunSummary, SolveResult | None]:
    refuse_unless(role_check(s.role, PLANNERS, "solve"))
    from engine.solver.api import solve  # OR-Tools loads only when something is solved

    announce = on_state or (lambda _state: None)
    forecast = s.store.forecasts.content(s.scope, forecast_id).canonical()
    config = DEFAULT_CONFIG
    plan = s.store.plans.create(
        s.scope, NewPlan(forecast_id=forecast_id, seed=seed, solver_config_hash=config.config_hash()), s.actor
    )
    announce("QUEUED")
    plan = s.store.plans.transition(s.scope, plan.id, "solve", expected_version=plan.state_version, actor=s.actor).plan
    announce("SOLVING")
    try:
        result = solve(forecast, seed=seed, time_limit=time_limit, config=config, progress=progress, cancel=cancel)
    except Exception as exc:  # an engine fault must not leave the run SOLVING forever
        s.store.plans.fail(s.scope, plan.id, plan.state_version, f"solver error: {exc}", s.actor)
        announce("FAILED")
        raise UserError(f"run {plan.id} FAILED: solver error: {exc}", EXIT_FAILED) from exc
    if result.infeasible:
        shown = "; ".join(f"{i.instance_id} ({i.rule}: {i.message})" for i in result.infeasible[:5])
        more = f" and {len(result.infeasible) - 5} more" if len(result.infeasible) > 5 else ""
        error = f"no legal plan covers {len(result.infeasible)} instance(s): {shown}{more}"
        failed = s.store.plans.fail(s.scope, plan.id, plan.state_version, error, s.actor).plan
        announce("FAILED")
        return failed, result
    kpis = result.kpis.model_dump(mode="json") | {"solver_status": result.status, "gap": result.gap}
    stored = s.store.plans.record_result(
        s.scope, plan.id, plan.state_version,
        PlanResult(
            instances=forecast.instances,
            assignments=result.assignments,
            output_hash=result.output_hash,
            kpis=kpis,
            lower_bound=result.lower_bound.model_dump(mode="json"),
            timings=result.timings.model_dump(),
        ),
        s.actor,
    ).plan
    announce("SOLVED")
    auditing = s.store.plans.transition(s.scope, plan.id, "audit", expected_version=stored.state_version, actor=s.actor).plan
    announce("AUDITING")
    audits = run_audits(forecast.instances, result.assignments, config, forecast.drivers)
    done = s.store.plans.record_audits(
        s.scope, plan.id, auditing.state_version,
        [AuditResult.model_validate(a.model_dump(mode="json")) for a in audits],
        s.actor,
    ).plan
    announce(done.state)
    return done, result


def identical_runs(s: Session, run: RunSummary) -> list[int]:
    """Earlier runs of the same forecast with the same `output_hash`: a re-solve that changed
    nothing says so (the same plan, deterministic), rather than passing as a new one."""
    if not run.output_hash:
        return []
    same = s.store.plans.list_runs(s.scope, site=run.site, week=run.week_anchor, limit=500)
    return [r.id for r in same if r.id != run.id and r.forecast_id == run.forecast_id and r.output_hash == run.output_hash]
