"""The runbook's shift or weekly handoff over HTTP: gathered and recorded by the server (so the next
one lists the events since this one); the CLI renders it as Markdown, as locally."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python

from app.ops import handoff as handoff_ops
from app.server.routes import API, Caller, once

router = APIRouter(tags=["handoff"])


class HandoffBody(BaseModel):
    kind: Literal["shift", "week"] = "shift"
    since: datetime | None = Field(default=None, description="events since this time (default: since the last handoff of this kind)")


@router.post(f"{API}/handoff")
def post_handoff(request: Request, s: Caller, body: HandoffBody | None = None) -> JSONResponse:
    body = body or HandoffBody()

    def compute() -> tuple[int, Any]:
        return 200, to_jsonable_python(handoff_ops.handoff(s, body.kind, body.since))

    return once(request, s, body.model_dump_json().encode(), compute)
