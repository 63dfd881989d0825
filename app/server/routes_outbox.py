"""The notification outbox over HTTP: per driver and channel of a plan, its state, attempts and last error."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.server.routes import API, Caller, out
from storage.outbox import UNSENT

router = APIRouter(tags=["notify"])


@router.get(f"{API}/plans/{{plan_id}}/outbox")
def get_outbox(s: Caller, plan_id: int) -> JSONResponse:
    """What `notify status PLAN` prints: the plan's outbox messages, without their bodies and calendar files."""
    from app.ops.notify import status  # on first use: it loads the calendar library

    return out({"messages": [m.model_dump(mode="json", exclude=set(UNSENT)) for m in status(s, plan_id)]})
