"""Driver notifications over HTTP: `notify RUN`, `notify status RUN` and `notify due`, sent with the
server's channels (its SMTP and webhook configuration), the same use cases and status codes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic_core import to_jsonable_python

from app.notify.config import backoff_seconds, channels
from app.ops import notify as notify_ops
from app.server.routes import API, Caller, once, out

router = APIRouter(tags=["notify"])


@router.post(f"{API}/plans/{{plan_id}}/notify")
def post_notify(request: Request, s: Caller, plan_id: int) -> JSONResponse:
    """Queue and send each driver's week of a LOCKED plan: what was sent, is pending, failed, has no contact."""

    def compute() -> tuple[int, Any]:
        return 200, to_jsonable_python(notify_ops.notify(s, plan_id, channels(), backoff=backoff_seconds()))

    return once(request, s, b"", compute)


@router.get(f"{API}/plans/{{plan_id}}/notify")
def get_notify(s: Caller, plan_id: int) -> JSONResponse:
    """Each driver's message state (no bodies, no calendar files)."""
    return out({"messages": notify_ops.status_lines(s, plan_id)})


@router.post(f"{API}/notify/due")
def post_notify_due(request: Request, s: Caller) -> JSONResponse:
    """The weekly send at the server's clock: every LOCKED plan of the coming week whose site's slot has passed."""

    def compute() -> tuple[int, Any]:
        return 200, to_jsonable_python({"reports": notify_ops.notify_due(s, channels(), backoff=backoff_seconds())})

    return once(request, s, b"", compute)
