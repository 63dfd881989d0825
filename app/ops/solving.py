"""Solve a stored forecast as a run: QUEUED → SOLVING → SOLVED → AUDITING → AUDITED (or FAILED).

No connection is open while the engine works: each state step is one short
transaction, the solve runs between them.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from app.i18n import N_, _
from app.errors import EXIT_FAILED, UserError
from app.ops.alerts import raise_for_run
from app.ops.policy import PLANNERS, refuse_unless, role_check
from app.ops.roster import drivers_for_solve
from app.ops.runs import HEARTBEAT_EVERY
from app.ops.session import Session
from engine.audits import run_audits
from engine.rules import DEFAULT_CONFIG
from storage.errors import StoreError
from storage.models import AuditResult, ForecastRecord, NewPlan, PlanResult, RunSummary

if TYPE_CHECKING:
    from engine.solver.api import SolveResult
    from engine.solver.budget import CancelToken
    from engine.solver.progress import Progress

StateCallback = Callable[[str], None]


@contextmanager
def beating(every: float, beat: Callable[[], None], name: str) -> Iterator[None]:
    """Call `beat` every `every` seconds in a thread while the body runs (a lease kept alive; the thread holds
    no connection between beats). A busy store skips one beat: leases outlive several."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat()
            except StoreError:
                pass

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _lease_kept(s: Session, plan_id: int) -> AbstractContextManager[None]:
    """Renew the SOLVING run's lease while the engine works, so a killed solver shows up as a stale run."""
    return beating(HEARTBEAT_EVERY, lambda: s.store.plans.heartbeat(s.scope, plan_id), f"lease-{plan_id}")


def check_can_solve(s: Session, forecast_id: int) -> ForecastRecord:
    """The caller may solve and sees the forecast (`NotFound` otherwise): asked before queueing a solve too."""
    refuse_unless(role_check(s.role, PLANNERS, N_("solve")))
    return s.store.forecasts.get(s.scope, forecast_id)


def solve_forecast(
    s: Session,
    forecast_id: int,
    *,
    seed: int = 94,
    time_limit: float = 60.0,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    on_state: StateCallback | None = None,
    solver: Callable[..., SolveResult] | None = None,
    on_created: Callable[[int], None] | None = None,
) -> tuple[RunSummary, SolveResult | None]:
    """`solver`: what runs `engine.solver.api.solve` (the server passes one that runs it in a child process);
    `on_created` hears the new run's id before it starts solving (a queued job remembers its runs)."""
    check_can_solve(s, forecast_id)
    if solver is None:
        from engine.solver.api import solve as solver  # OR-Tools loads only when something is solved

    announce = on_state or (lambda _state: None)
    canonical = s.store.forecasts.content(s.scope, forecast_id).canonical()
    # what the solver and the audits see: the stored forecast (its input_hash unchanged) with the site's roster merged in
    forecast = canonical.model_copy(update={"drivers": drivers_for_solve(s, canonical)})
    config = DEFAULT_CONFIG
    plan = s.store.plans.create(
        s.scope, NewPlan(forecast_id=forecast_id, seed=seed, solver_config_hash=config.config_hash()), s.actor
    )
    if on_created is not None:
        on_created(plan.id)
    announce("QUEUED")
    plan = s.store.plans.transition(s.scope, plan.id, "solve", expected_version=plan.state_version, actor=s.actor).plan
    announce("SOLVING")
    try:
        with _lease_kept(s, plan.id):
            result = solver(forecast, seed=seed, time_limit=time_limit, config=config, progress=progress, cancel=cancel)
    except Exception as exc:  # an engine fault must not leave the run SOLVING forever
        s.store.plans.fail(s.scope, plan.id, plan.state_version, f"solver error: {exc}", s.actor)
        announce("FAILED")
        raise UserError(_("run {id} FAILED: solver error: {exc}").format(id=plan.id, exc=exc), EXIT_FAILED) from exc
    if result.infeasible:
        shown = "; ".join(f"{i.instance_id} ({i.rule}: {i.message})" for i in result.infeasible[:5])
        more = f" and {len(result.infeasible) - 5} more" if len(result.infeasible) > 5 else ""
        error = f"no legal plan covers {len(result.infeasible)} instance(s): {shown}{more}"
        failed = s.store.plans.fail(s.scope, plan.id, plan.state_version, error, s.actor).plan
        announce("FAILED")
        raise_for_run(s, failed, result)
        return failed, result
    kpis = result.kpis.model_dump(mode="json") | {"solver_status": result.status, "gap": result.gap, "pt_lower_bound": result.pt_lower_bound}
    stored = s.store.plans.record_result(
        s.scope, plan.id, plan.state_version,
        PlanResult(
            instances=forecast.instances,
            assignments=result.assignments,
            output_hash=result.output_hash,
            kpis=kpis,
            lower_bound=result.lower_bound.model_dump(mode="json"),
            timings=result.timings.model_dump() | {
                "wall_limited": result.wall_limited,
                "stages": [st.model_dump() for st in result.stages],
                "standins": [si.model_dump() for si in result.standins],
            },
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
    raise_for_run(s, done, result)
    return done, result


def identical_runs(s: Session, run: RunSummary) -> list[int]:
    """Earlier runs of the same forecast with the same `output_hash`: a re-solve that changed
    nothing says so (the same plan, deterministic), rather than passing as a new one."""
    if not run.output_hash:
        return []
    return twins_of(run, s.store.plans.list_runs(s.scope, site=run.site, week=run.week_anchor, limit=500))


def twins_of(run: RunSummary, same_week: list[RunSummary]) -> list[int]:
    """`identical_runs` among the runs of the run's site and week (remote mode lists them from the server)."""
    return [r.id for r in same_week if r.id != run.id and r.forecast_id == run.forecast_id and r.output_hash
            and r.output_hash == run.output_hash]
