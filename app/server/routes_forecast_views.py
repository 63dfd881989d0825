"""What `forecasts` and `diff` show, over HTTP: the days each forecast covers, and the differences
between two forecast versions or two plan versions of one site and week."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.ops import diff as diff_ops
from app.server.routes import API, Caller, out

router = APIRouter()


@router.get(f"{API}/forecast-days", tags=["forecasts"])
def get_forecast_days(s: Caller, id: Annotated[list[int], Query(max_length=500)]) -> JSONResponse:
    """The days (1=Mon … 7=Sun) each forecast covers (a partial forecast covers some; one out of scope: none)."""
    return out({"days": {str(f): diff_ops.forecast_days(s, f) for f in id}})


@router.get(f"{API}/forecasts/{{forecast_id}}/diff/{{other_id}}", tags=["forecasts"])
def get_forecast_diff(s: Caller, forecast_id: int, other_id: int) -> JSONResponse:
    """Tours added, removed and changed from one forecast version to the other."""
    return out(diff_ops.diff_forecast_versions(s, forecast_id, other_id))


@router.get(f"{API}/plans/{{plan_id}}/diff/{{other_id}}", tags=["plans"])
def get_plan_diff(s: Caller, plan_id: int, other_id: int) -> JSONResponse:
    """What changed from one plan version to the other (moves, stand-ins, KPI deltas)."""
    return out(diff_ops.diff_runs(s, plan_id, other_id))
