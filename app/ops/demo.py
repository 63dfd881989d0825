"""`solvereign demo`: a store with a demo tenant, site and week, solved and ready to review.

The demo week starts the Monday after today (by the injectable clock), so the
lock window is open and a new user can try review → publish → lock at once.
"""

from __future__ import annotations

from pathlib import Path

from app.ops import admin
from app.ops.forecasts import ImportOutcome
from app.ops.session import Session, open_session
from app.ops.solving import solve_forecast
from engine.clock import Clock, next_week_anchor
from engine.ingest import ingest
from engine.models import DAY_NAMES
from storage.models import NewForecast, RunSummary

DEMO_TENANT = "demo"
DEMO_SITE = "wien"
DEMO_TIME_LIMIT = 20.0
# The demo week: pairs of 4.5 h tours (a morning and a midday wave), Mon–Sat, 252 tours.
# Shaped so the best plan has no warnings (every driver ≥ 40 h: no KPI in its alert band),
# so the creator can publish and lock it alone. Wien-like generated weeks always leave
# 10–30 % part-timers at the fewest drivers, which would need a second approver.
DEMO_PAIRS: dict[tuple[str, str], tuple[int, ...]] = {  # tours → count per day Mon..Sat
    ("05:00-09:30", "10:00-14:30"): (8, 7, 7, 7, 8, 5),
    ("06:00-10:30", "11:00-15:30"): (10, 9, 9, 9, 10, 6),
    ("07:15-11:45", "12:15-16:45"): (6, 5, 5, 5, 7, 3),
}


def demo_week_bytes() -> bytes:
    """The demo week as a customer export (long layout)."""
    out: list[str] = []
    for day, name in enumerate(DAY_NAMES[:6]):
        counts: dict[str, int] = {}
        for tours, per_day in DEMO_PAIRS.items():
            for tour in tours:
                counts[tour] = counts.get(tour, 0) + per_day[day]
        out += [f"{name};Anzahl", *(f"{tour};{n}" for tour, n in sorted(counts.items())), ";"]
    return ("\n".join(out) + "\n").encode()


def run_demo(db_path: Path, clock: Clock, login: str, *, time_limit: float = DEMO_TIME_LIMIT, progress=None) -> tuple[Session, ImportOutcome, RunSummary]:
    """Create (or reuse) the store, import the demo week and leave an AUDITED run."""
    existing = db_path.exists() and _known(db_path, clock, login)
    if not existing:
        admin.init_store(db_path, clock, login, DEMO_TENANT, DEMO_SITE, name="Demo admin")
    s = open_session(db_path, clock, login)
    site = DEMO_SITE if DEMO_SITE in s.user.sites else s.user.sites[0]
    anchor = next_week_anchor(clock)
    data = demo_week_bytes()
    result = ingest(data, tenant=s.user.tenant, site=site, anchor=anchor)
    assert result.forecast is not None, result.report.one_line()
    added = s.store.forecasts.add(
        s.scope,
        NewForecast(forecast=result.forecast, source_format="export", raw_bytes=data,
                    status=result.report.status, findings=result.report.model_dump(mode="json"),  # type: ignore[arg-type]
                    source_name="demo_week.csv"),
        s.actor,
    )
    outcome = ImportOutcome(report=result.report, forecast=added.forecast, created=added.created)
    runs = [r for r in s.store.plans.list_runs(s.scope, site=site, week=anchor) if r.forecast_id == added.forecast.id]
    if runs:
        return s, outcome, runs[0]
    run, _ = solve_forecast(s, added.forecast.id, time_limit=time_limit, progress=progress)
    return s, outcome, run


def _known(db_path: Path, clock: Clock, login: str) -> bool:
    from storage.store import Store

    return Store(db_path, clock=clock.now).users.identify(login) is not None
