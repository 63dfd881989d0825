"""`solve --forecast NEW --baseline RUN` over HTTP: the newer forecast solved against RUN's drivers
(minimum churn, frozen and pinned kept). Bounded by its time limit, so it answers in the request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.ops.baseline import baseline_summary
from app.server.routes import API, Caller, once

router = APIRouter(tags=["solves"])


class BaselineBody(BaseModel):
    baseline: int = Field(ge=1, description="the plan whose drivers are kept where possible")
    time_limit: float = Field(default=10.0, gt=0, le=600)


@router.post(f"{API}/forecasts/{{forecast_id}}/baseline-solve", status_code=201)
def post_baseline_solve(request: Request, s: Caller, forecast_id: int, body: BaselineBody) -> JSONResponse:
    """The new run (201) with its churn against the baseline, its changes and new stand-ins."""

    def compute() -> tuple[int, Any]:
        return 201, baseline_summary(s, forecast_id, body.baseline, time_limit=body.time_limit).model_dump(mode="json")

    return once(request, s, body.model_dump_json().encode(), compute)
