"""Solve a newer forecast of a week against a plan of an older one (a partial forecast completed or
corrected): the old plan's assignments map onto the instances that still exist, removed ones drop
out, new ones are dealt out; frozen and pinned instances always keep their driver (SPEC §7).

The repair engine does the work (parent = the mapped old plan, no absences), so the result is
deterministic for the same inputs, seed and config.
"""

from __future__ import annotations

from pydantic import BaseModel

from app.i18n import N_, _
from app.errors import EXIT_FAILED, UserError
from app.ops.policy import PLANNERS, refuse_unless, role_check
from app.ops.session import Session
from app.ops.versions import forecast_of, load_base, store_version
from engine.freeze import frozen_ids
from engine.solver.repair import RepairRequest, RepairResult, repair
from storage.models import RunSummary, VersionExtras


def solve_with_baseline(
    s: Session, forecast_id: int, baseline_run: int, *, time_limit: float = 10.0
) -> tuple[RunSummary, RepairResult]:
    refuse_unless(role_check(s.role, PLANNERS, N_("solve")))
    base = load_base(s, baseline_run, what="a baseline")
    record = s.store.forecasts.get(s.scope, forecast_id)
    if (record.site, record.week_anchor) != (base.run.site, base.run.week_anchor):
        raise UserError(_("baseline plan {baseline_run} is of {site} {week_anchor}, forecast {forecast_id} of {site2} {week_anchor2}: same site and week needed").format(baseline_run=baseline_run, site=base.run.site, week_anchor=base.run.week_anchor, forecast_id=forecast_id, site2=record.site, week_anchor2=record.week_anchor), EXIT_FAILED)
    forecast = forecast_of(s, forecast_id)
    ids = {i.id for i in forecast.instances}
    parent = {iid: d for iid, d in base.detail.assignments.items() if iid in ids}
    frozen = frozen_ids(record.week_anchor, [i for i in forecast.instances if i.id in parent], base.now, base.horizon_min)
    pins = {iid: d for iid, d in base.pins.items() if iid in parent}
    result = repair(RepairRequest(forecast=forecast, parent=parent, held=frozen | set(pins),
                                  seed=base.run.seed, time_limit=time_limit))
    if result.verdict != "PASS":
        raise UserError(_("no legal plan of forecast {forecast_id} against plan {baseline_run}: ").format(forecast_id=forecast_id, baseline_run=baseline_run) + "; ".join(result.reasons), EXIT_FAILED)
    run = store_version(
        s, forecast_id=forecast_id, parent=base.run, kind="resolve", forecast=forecast, assignments=result.assignments,
        audits=result.audits, kpis=result.kpis, output_hash=result.output_hash, lower_bound={},
        timings={"repair_s": result.seconds, "baseline": baseline_run, "churn": result.churn,
                 "mapped": len(parent), "new": len(ids) - len(parent)},
        extras=VersionExtras(pins=pins),
    )
    return run, result


class BaselineSummary(BaseModel):
    """What `solve --baseline` prints: the new run, its churn against the baseline, its changes and new stand-ins."""

    run: RunSummary
    churn: float
    changes: int
    new_standins: list[str]


def baseline_summary(s: Session, forecast_id: int, baseline_run: int, *, time_limit: float = 10.0) -> BaselineSummary:
    run, result = solve_with_baseline(s, forecast_id, baseline_run, time_limit=time_limit)
    return BaselineSummary(run=run, churn=result.churn, changes=len(result.changes), new_standins=result.new_standins)
