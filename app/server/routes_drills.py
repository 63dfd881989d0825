"""Incident drills over HTTP: run one on a copy of the server's store, list past ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.ops import drills as drill_ops
from app.ops.drills import DrillName
from app.server.routes import API, Caller, Limit, once, out
from engine.freeze import DEFAULT_HORIZON_MIN

router = APIRouter(tags=["drills"])


class DrillBody(BaseModel):
    run: int | None = Field(default=None, ge=1, description="the plan (default: the newest LOCKED, PUBLISHED or AUDITED)")
    absent_drivers: list[str] | None = Field(default=None, max_length=200, description="sick-call: absent drivers")
    freeze_horizon: int = Field(default=DEFAULT_HORIZON_MIN, ge=0, le=10_080, description="the expected horizon (min)")
    time_limit: float = Field(default=10.0, gt=0, le=600)


@router.post(f"{API}/drills/{{drill}}")
def post_drill(request: Request, s: Caller, drill: DrillName, body: DrillBody | None = None) -> JSONResponse:
    """Run a drill (the live store is never changed): its report, verdict PASS / WARN / FAIL."""
    body = body or DrillBody()

    def compute() -> tuple[int, Any]:
        report = drill_ops.run_drill(s, drill, run_id=body.run, absent=body.absent_drivers,
                                     horizon_min=body.freeze_horizon, time_limit=body.time_limit)
        return 200, report.model_dump(mode="json")

    return once(request, s, body.model_dump_json().encode(), compute)


@router.get(f"{API}/drills")
def get_drills(s: Caller, limit: Limit = 50) -> JSONResponse:
    """Past drills with their verdicts, newest first."""
    return out({"drills": drill_ops.past_drills(s.store.path, limit=limit)})
