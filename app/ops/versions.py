"""New plan versions made from an existing one (repair, edit, re-solve): what they start from, and
how they are stored: audited like any solve, pins inherited, a freeze override recorded with them.

A version never changes its parent: a LOCKED parent stays LOCKED until the new version is locked,
which supersedes it (storage/lifecycle.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.i18n import _
from app.errors import EXIT_FAILED, UserError
from app.ops.alerts import raise_for_run
from app.ops.freeze import horizon
from app.ops.roster import drivers_for_solve
from app.ops.session import Session
from engine.audits import AuditResult as EngineAudit
from engine.clock import instant_of
from engine.freeze import frozen_ids
from engine.kpis import Kpis
from engine.models import CanonicalForecast
from storage.errors import NotFound
from storage.models import AuditResult, NewPlan, PlanResult, RunDetail, RunSummary, VersionExtras

VERSIONABLE = frozenset({"AUDITED", "PUBLISHED", "LOCKED"})  # plans a repair, an edit or a baseline may start from


@dataclass(frozen=True)
class Base:
    """A parent plan with what every version of it needs: its forecast (roster merged), frozen and pinned instances."""

    detail: RunDetail
    forecast: CanonicalForecast
    frozen: frozenset[str]
    pins: dict[str, str]
    horizon_min: int
    now: datetime

    @property
    def run(self) -> RunSummary:
        return self.detail.summary


def load_base(s: Session, run_id: int, *, what: str) -> Base:
    detail = s.store.plans.detail(s.scope, run_id)
    run = detail.summary
    if run.state not in VERSIONABLE:
        raise UserError(_("plan {run_id} is {state}: {what} needs an AUDITED, PUBLISHED or LOCKED plan").format(run_id=run_id, state=run.state, what=what), EXIT_FAILED)
    integrity = s.store.approvals.plan_integrity(s.scope, run_id)
    if integrity is not None:
        raise UserError(_("plan {run_id} disagrees with its approval chain ({integrity}); {what} refused").format(run_id=run_id, integrity=integrity, what=what), EXIT_FAILED)
    forecast = forecast_of(s, run.forecast_id)
    minutes = horizon(s, run.site)
    now = s.clock.now()
    pins = {p.instance_id: p.driver_id for p in s.store.pins.for_plan(s.scope, run_id)}
    return Base(detail=detail, forecast=forecast.model_copy(update={"instances": detail.instances}),
                frozen=frozen_ids(run.week_anchor, detail.instances, now, minutes), pins=pins, horizon_min=minutes, now=now)


def forecast_of(s: Session, forecast_id: int) -> CanonicalForecast:
    """A stored forecast with the site's roster merged in (what solves and audits see)."""
    try:
        canonical = s.store.forecasts.content(s.scope, forecast_id).canonical()
    except NotFound:
        raise UserError(_("forecast {forecast_id} has no stored content (purged?): cannot build a new version").format(forecast_id=forecast_id), EXIT_FAILED) from None
    return canonical.model_copy(update={"drivers": drivers_for_solve(s, canonical)})


def store_version(
    s: Session, *, forecast_id: int, parent: RunSummary, kind: str, forecast: CanonicalForecast,
    assignments: dict[str, str], audits: list[EngineAudit], kpis: Kpis, output_hash: str,
    timings: dict[str, object], extras: VersionExtras, lower_bound: dict[str, object],
) -> RunSummary:
    """Store the version QUEUED … AUDITED in one transaction (with its override record and inherited pins)."""
    result = PlanResult(
        instances=list(forecast.instances), assignments=assignments, output_hash=output_hash,
        kpis=kpis.model_dump(mode="json") | {"solver_status": kind.upper(), "gap": _gap(kpis, lower_bound)},
        lower_bound=lower_bound, timings=timings,
        audits=[AuditResult.model_validate(a.model_dump(mode="json")) for a in audits],
    )
    new = NewPlan(forecast_id=forecast_id, kind=kind, parent_plan_id=parent.id, seed=parent.seed,  # type: ignore[arg-type]
                  solver_config_hash=parent.solver_config_hash)
    run = s.store.plans.save_version(s.scope, new, result, s.actor, extras).plan
    raise_for_run(s, run, None)  # a repair or edit that fails audits or leaves tours uncovered escalates as a solve does
    return run


def _gap(kpis: Kpis, lower_bound: dict[str, object]) -> float:
    value = lower_bound.get("value")
    return round(kpis.drivers / value - 1, 4) if isinstance(value, int) and value > 0 else 0.0


def lock_window_start(s: Session, detail: RunDetail) -> datetime | None:
    """Until when a version may be locked: the week's first tour for a solve; for a version made from a
    parent (a Thursday repair), the first tour it changes — it can be locked while that has not started."""
    run = detail.summary
    starts = {i.id: i.start for i in detail.instances}
    if run.kind == "solve" or run.parent_plan_id is None:
        first = min(starts.values(), default=None)
    else:
        try:
            parent = s.store.plans.detail(s.scope, run.parent_plan_id).assignments
        except NotFound:
            parent = {}
        changed = [m for iid, m in starts.items() if parent.get(iid) != detail.assignments.get(iid)]
        first = min(changed, default=None)
    return instant_of(run.week_anchor, first) if first is not None else None
