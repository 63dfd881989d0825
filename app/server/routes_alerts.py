"""The escalation alerts over HTTP: `GET /api/v1/alerts` (open ones, `?all=true` every one) and
`POST /api/v1/alerts/{id}/ack` with a reason; the same use cases, roles and status codes as the
other routes (403 role or reason, 404 not found or out of scope, 409 already acknowledged)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic_core import to_jsonable_python

from app.ops import alerts as alert_ops
from app.server.routes import API, Caller, ReasonBody, once, out

router = APIRouter()


@router.get(f"{API}/alerts", tags=["alerts"])
def get_alerts(s: Caller, all: Annotated[bool, Query(description="acknowledged alerts too")] = False) -> JSONResponse:
    shown = alert_ops.visible_alerts(s, include_acked=all)
    return out({"alerts": shown, "banner": alert_ops.banner(s)})


@router.post(f"{API}/alerts/{{alert_id}}/ack", tags=["alerts"])
def post_ack(request: Request, s: Caller, alert_id: int, body: ReasonBody | None = None) -> JSONResponse:
    body = body or ReasonBody()
    return once(request, s, body.model_dump_json().encode(),
                lambda: (200, to_jsonable_python({"alert": alert_ops.ack(s, alert_id, body.reason)})))
