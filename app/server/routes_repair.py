"""Sick calls over HTTP: preview or apply a repair of a plan around absent drivers, undo a version.

The body is the CLI's `repair` options; the answer holds the whole preview, so remote mode prints
it as local mode does."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.ops import repair as repair_ops
from app.server.routes import API, Caller, ReasonBody, once

router = APIRouter(tags=["repair"])


class RepairBody(BaseModel):
    absent: list[str] = Field(min_length=1, max_length=200, description="absent driver ids")
    kind: Literal["sick", "vacation", "no_show"] = "sick"
    start: datetime | None = Field(default=None, description="absence starts (default: the whole week)")
    end: datetime | None = Field(default=None, description="absence ends")
    reason: str = Field(default="", max_length=2000, description="why (at least 10 visible characters; recorded)")
    override_freeze: bool = Field(default=False, description="emergency: let frozen tours of the absent drivers move")
    preview: bool = Field(default=False, description="show what the repair would do; store nothing")
    time_limit: float = Field(default=10.0, gt=0, le=600)


def repair_doc(preview: repair_ops.RepairPreview, outcome: repair_ops.RepairOutcome | None) -> dict[str, Any]:
    """The preview (what was or would be done), and the stored version with its message when applied."""
    return {"preview": preview.model_dump(mode="json"), "run": outcome.run.model_dump(mode="json") if outcome else None,
            "message": outcome.message if outcome else None}


@router.post(f"{API}/plans/{{plan_id}}/repair")
def post_repair(request: Request, s: Caller, plan_id: int, body: RepairBody) -> JSONResponse:
    """A preview (200, nothing stored) or a new AUDITED repair version (201); 422 when no legal plan is found."""
    kw: dict[str, Any] = dict(reason=body.reason, kind=body.kind, start=body.start, end=body.end,
                              override_freeze=body.override_freeze, time_limit=body.time_limit)

    def compute() -> tuple[int, Any]:
        if body.preview:
            return 200, repair_doc(repair_ops.preview_repair(s, plan_id, body.absent, **kw), None)
        outcome = repair_ops.apply_repair(s, plan_id, body.absent, **kw)
        return 201, repair_doc(outcome.preview, outcome)

    return once(request, s, body.model_dump_json().encode(), compute)


@router.post(f"{API}/plans/{{plan_id}}/undo")
def post_undo(request: Request, s: Caller, plan_id: int, body: ReasonBody | None = None) -> JSONResponse:
    """Discard a repair or edit version that is not yet published (recorded as a rejection)."""
    body = body or ReasonBody()
    return once(request, s, body.model_dump_json().encode(),
                lambda: (200, {"run": repair_ops.undo(s, plan_id, body.reason).model_dump(mode="json")}))
