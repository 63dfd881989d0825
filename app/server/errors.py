"""Ops and store errors → HTTP status codes, and the error body every failure carries.

401 no/invalid key, 403 role or gate (the body names the unmet condition), 404 not found or out
of scope, 409 state conflict, 422 invalid body or failed import contract, 423 a solve already
running for that forecast, 503 the store stayed busy. Every body has a `trace_id`, also logged."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core import to_jsonable_python
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import EXIT_BLOCKED, UserError
from storage.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    StaleVersion,
    StoreBusy,
    StoreError,
    TamperedPlan,
)

log = logging.getLogger("solvereign.server")


class Unauthorized(UserError):
    """No API key, or one that names no active user."""


class SolveRunning(UserError):
    """A solve of the same forecast is queued or running."""


class ApiError(Exception):
    """A refusal the server itself decides (a reused Idempotency-Key, an import that FAILed)."""

    def __init__(self, status: int, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra or {}


def status_of(exc: Exception) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, Unauthorized):
        return 401
    if isinstance(exc, SolveRunning):
        return 423
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, (StaleVersion, Conflict, IllegalTransition, TamperedPlan)):
        return 409
    if isinstance(exc, InvalidInput):
        return 422
    if isinstance(exc, StoreBusy):
        return 503
    if isinstance(exc, (UserError, StoreError)):
        return 403 if exc.exit_code >= EXIT_BLOCKED else 422
    return 500


def trace_id_of(request: Request) -> str:
    trace = getattr(request.state, "trace_id", None)
    if trace is None:
        trace = request.state.trace_id = uuid.uuid4().hex
    return trace


def error_response(request: Request, status: int, message: str, extra: dict[str, Any] | None = None) -> JSONResponse:
    trace = trace_id_of(request)
    log.warning("trace_id=%s status=%d %s %s: %s", trace, status, request.method, request.url.path, message)
    body = {"error": message, "status": status, "trace_id": trace, **to_jsonable_python(extra or {})}
    return JSONResponse(body, status_code=status, headers={"X-Trace-Id": trace})


def note_refusal(request: Request, exc: NotFound) -> None:
    """A 404 for a plan or forecast of another tenant or site: the S0 alert (app/ops/alerts.py); the answer stays 404.
    A GET that wrote an alert: the read cache forgets its answers (so `GET /alerts` shows it at once)."""
    from app.ops.alerts import note_refusal as note
    from app.ops.api_keys import session_for_key

    try:
        s = session_for_key(request.app.state.store, request.app.state.clock, request.headers.get("x-api-key"))
    except UserError:
        return
    if note(s, exc) is not None:
        request.app.state.read_cache.changed()


def install(app: FastAPI) -> None:
    """Exception handlers for our errors, FastAPI's validation errors, unknown routes and crashes."""

    async def ours(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, NotFound) and exc.kind is not None:
            await run_in_threadpool(note_refusal, request, exc)
        extra = dict(exc.extra) if isinstance(exc, ApiError) else {}
        if isinstance(exc, (UserError, StoreError)):
            extra["exit_code"] = exc.exit_code  # the CLI's exit code, so remote mode exits as local mode does
        message = exc.message if isinstance(exc, (UserError, StoreError, ApiError)) else str(exc)
        return error_response(request, status_of(exc), message, extra)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in errors[:5])
        return error_response(request, 422, f"invalid request: {where}", {"detail": errors})

    async def http(request: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        detail = exc.detail if isinstance(exc, StarletteHTTPException) else str(exc)
        return error_response(request, status, str(detail))

    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("trace_id=%s unhandled error", trace_id_of(request))
        return error_response(request, 500, f"internal error ({type(exc).__name__}); see the server log")

    for kind in (UserError, StoreError, ApiError):
        app.add_exception_handler(kind, ours)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, crash)
