"""What the cockpit's forecasts view shows: each stored forecast, the days it covers, its tours per
day, its warnings, and how it differs from the previous forecast of the same site and week."""

from __future__ import annotations

from pydantic import BaseModel

from app.ops.diff import diff_forecast_versions, forecast_days
from app.ops.session import Session
from app.errors import UserError
from engine.diff import ForecastDiff
from storage.models import ForecastRecord


class ForecastLine(BaseModel):
    forecast: ForecastRecord
    days: list[int]  # days covered (a partial forecast covers some)
    per_day: dict[str, int]  # tours per day, as the import report counted them
    warnings: list[str]  # gates that warned
    previous: int | None = None  # the previous forecast of the same site and week
    diff: ForecastDiff | None = None  # previous → this one (None without a previous, or when purged)


def forecast_lines(s: Session, limit: int = 50) -> list[ForecastLine]:
    """Newest first, each with its difference to the one before it for the same site and week."""
    records = s.store.forecasts.list_forecasts(s.scope, limit=limit)
    out: list[ForecastLine] = []
    for f in records:
        older = [g for g in records if (g.site, g.week_anchor) == (f.site, f.week_anchor) and g.id < f.id]
        previous = max(older, key=lambda g: g.id).id if older else None
        diff = None
        if previous is not None:
            try:
                diff = diff_forecast_versions(s, previous, f.id)
            except UserError:  # a purged content: no diff, the line still shows
                diff = None
        gates = f.findings.get("gates", [])
        out.append(ForecastLine(
            forecast=f, days=forecast_days(s, f.id), per_day=f.findings.get("summary", {}).get("per_day", {}),
            warnings=[g["id"] for g in gates if g.get("status") == "WARN"], previous=previous, diff=diff,
        ))
    return out
