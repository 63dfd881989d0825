"""Compare two plan versions, or two forecast versions, of the same site and week."""

from __future__ import annotations

from app.i18n import _
from app.errors import EXIT_FAILED, UserError
from app.ops.session import Session
from engine.diff import ForecastDiff, PlanDiff, diff_forecasts, diff_plans
from storage.errors import NotFound


def diff_runs(s: Session, run_a: int, run_b: int) -> PlanDiff:
    a, b = s.store.plans.detail(s.scope, run_a), s.store.plans.detail(s.scope, run_b)
    wa, wb = a.summary, b.summary
    if (wa.site, wa.week_anchor) != (wb.site, wb.week_anchor):
        raise UserError(_("plans {run_a} and {run_b} are of different sites or weeks ({site} {week_anchor} vs {site2} {week_anchor2})").format(run_a=run_a, run_b=run_b, site=wa.site, week_anchor=wa.week_anchor, site2=wb.site, week_anchor2=wb.week_anchor), EXIT_FAILED)
    return diff_plans(a.instances, a.assignments, wa.kpis, b.instances, b.assignments, wb.kpis)


def diff_forecast_versions(s: Session, forecast_a: int, forecast_b: int) -> ForecastDiff:
    fa, fb = s.store.forecasts.get(s.scope, forecast_a), s.store.forecasts.get(s.scope, forecast_b)
    if (fa.site, fa.week_anchor) != (fb.site, fb.week_anchor):
        raise UserError(_("forecasts {forecast_a} and {forecast_b} are of different sites or weeks").format(forecast_a=forecast_a, forecast_b=forecast_b), EXIT_FAILED)
    try:
        ca = s.store.forecasts.content(s.scope, forecast_a).canonical()
        cb = s.store.forecasts.content(s.scope, forecast_b).canonical()
    except NotFound:
        raise UserError(_("a forecast's content was purged: no diff"), EXIT_FAILED) from None
    return diff_forecasts(ca.instances, cb.instances)


def forecast_days(s: Session, forecast_id: int) -> list[int]:
    """The days (1=Mon … 7=Sun) a stored forecast covers (a partial forecast covers some)."""
    try:
        return sorted({i.day for i in s.store.forecasts.content(s.scope, forecast_id).canonical().instances})
    except NotFound:
        return []
