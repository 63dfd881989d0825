"""GDPR erasure over HTTP: request or (a second person of the other role) carry out an erasure, and
the erasure log; 403 role, reason or the two-person rule, 404 a driver or site out of scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic_core import to_jsonable_python

from app.ops import gdpr as gdpr_ops
from app.server.routes import API, Caller, ReasonBody, once, out

router = APIRouter(tags=["gdpr"])


@router.post(f"{API}/drivers/{{driver_id}}/erase")
def post_erase(request: Request, s: Caller, driver_id: str, body: ReasonBody | None = None,
               site: Annotated[str | None, Query(max_length=64)] = None) -> JSONResponse:
    """The first call requests the erasure; the second, by another person of the other role, carries it out."""
    body = body or ReasonBody()
    return once(request, s, body.model_dump_json().encode(), lambda: (200, to_jsonable_python(
        gdpr_ops.erase_driver(s, site, driver_id, body.reason))))


@router.get(f"{API}/gdpr/erasures")
def get_erasures(s: Caller) -> JSONResponse:
    """Erasure requests of the caller's sites (no personal data)."""
    return out({"erasures": s.store.gdpr.history(s.scope)})
