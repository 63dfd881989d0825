"""What `forecasts` and `diff` show, over HTTP: the days each forecast covers, the differences
between two forecast versions or two plan versions of one site and week, and what an import would say."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from app.ops import diff as diff_ops
from app.ops import forecasts as forecast_ops
from app.server.errors import ApiError
from app.server.routes import API, MAX_UPLOAD, Caller, out
from engine.parsers import FORMATS

Text = Annotated[str | None, Query(max_length=64)]

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


@router.post(f"{API}/forecasts/preview", tags=["forecasts"],
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}},
                 "text/plain": {"schema": {"type": "string"}}}}})
async def post_forecast_preview(
    request: Request, s: Caller,
    format: Annotated[str, Query(pattern="^(" + "|".join(("auto", *FORMATS)) + ")$")] = "auto",
    site: Text = None, anchor: Text = None, default_site: Text = None, default_anchor: Text = None,
) -> JSONResponse:
    """The import report (and warnings, and the week the file names) an import of the body would give; nothing is stored."""
    data = await request.body()
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, f"forecast upload is {len(data)} bytes; the limit is {MAX_UPLOAD}")
    return out(await run_in_threadpool(forecast_ops.preview_bytes, s, data, fmt=format, site=site, anchor=anchor,
                                       default_site=default_site, default_anchor=default_anchor))
