"""The API's routes: each reads the request, calls one app/ops use case with the key's Session, and
returns its result as JSON. Refusals come back as ops errors; app/server/errors.py maps them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python

from app.errors import UserError
from app.ops import forecasts as forecast_ops
from app.ops.forecast_view import forecast_lines
from app.ops import runs as run_ops
from app.ops.api_keys import create_key, session_for_key
from app.ops.jobs import jobs_view
from app.ops.session import Session
from app.ops.status import status as status_view
from app.server.errors import ApiError, Unauthorized
from engine.parsers import FORMATS
from storage.lifecycle import State

MAX_UPLOAD = 20 * 1024 * 1024
API = "/api/v1"

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="a key from 'solvereign users key LOGIN'")
router = APIRouter()


class ReasonBody(BaseModel):
    reason: str = Field(default="", max_length=2000, description="why (at least 10 visible characters; recorded)")


class SolveBody(BaseModel):
    seed: int = Field(default=94, ge=0, le=2**31 - 1)
    time_limit: float = Field(default=60.0, gt=0, le=3600, description="solver wall-clock limit in seconds")


def session(request: Request, key: Annotated[str | None, Security(api_key_header)] = None) -> Session:
    """The key's user as a Session: the same role, tenant and site checks as the CLI's OS login."""
    try:
        return session_for_key(request.app.state.store, request.app.state.clock, key)
    except UserError as exc:
        raise Unauthorized(exc.message, exc.exit_code) from None


Caller = Annotated[Session, Depends(session)]
Limit = Annotated[int, Query(ge=1, le=500)]


def out(obj: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(to_jsonable_python(obj), status_code=status)


def once(request: Request, s: Session, body: bytes, compute: Any) -> JSONResponse:
    """Answer a POST, honouring its Idempotency-Key."""
    status, payload = request.app.state.idempotency.run(
        s.login, request.headers.get("idempotency-key"), f"{request.method} {request.url.path}", body, compute
    )
    return JSONResponse(payload, status_code=status)


# --- health and status ----------------------------------------------------------------


@router.get("/health", tags=["server"])
def health(request: Request) -> dict[str, Any]:
    """Liveness without a key: the server answers and knows its store."""
    return {"status": "ok", "store": request.app.state.store.location, "solve_workers": request.app.state.solves.workers}


@router.get(f"{API}/status", tags=["server"])
def get_status(s: Caller) -> JSONResponse:
    return out(status_view(s))


# --- forecasts ----------------------------------------------------------------------


@router.post(
    f"{API}/forecasts", tags=["forecasts"], status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}}}}},
)
async def post_forecast(
    request: Request, s: Caller,
    format: Annotated[str, Query(pattern="^(" + "|".join(("auto", *FORMATS)) + ")$")] = "auto",
    site: Annotated[str | None, Query(max_length=64)] = None,
    anchor: Annotated[str | None, Query(max_length=32, description="week anchor YYYY-MM-DD, a Monday")] = None,
    name: Annotated[str, Query(max_length=200, description="the file's name, recorded")] = "upload",
    default_site: Annotated[str | None, Query(max_length=64, description="the site where neither file nor option names one")] = None,
    default_anchor: Annotated[str | None, Query(max_length=32, description="the week where neither file nor option names one")] = None,
) -> JSONResponse:
    """Import a forecast (the file's bytes as the body): the import report, and the stored forecast
    for PASS/WARN (201; 200 when the same content was already stored). A FAIL stores nothing: 422."""
    data = await request.body()
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, f"forecast upload is {len(data)} bytes; the limit is {MAX_UPLOAD}")

    def compute() -> tuple[int, Any]:
        outcome = forecast_ops.import_bytes(s, data, name, fmt=format, site=site, anchor=anchor, default_site=default_site,
                                            default_anchor=default_anchor)
        if outcome.forecast is None:
            raise ApiError(422, f"import contract failed: {outcome.report.status}", {"report": outcome.report})
        return (201 if outcome.created else 200), to_jsonable_python(outcome)

    return await run_in_threadpool(once, request, s, data, compute)


@router.get(f"{API}/forecasts", tags=["forecasts"])
def get_forecasts(s: Caller, site: Annotated[str | None, Query(max_length=64)] = None, limit: Limit = 50) -> JSONResponse:
    return out({"forecasts": forecast_ops.list_forecasts(s, site=site, limit=limit)})


@router.get(f"{API}/forecast-lines", tags=["forecasts"])
def get_forecast_lines(s: Caller, limit: Limit = 50) -> JSONResponse:
    """The cockpit's forecasts view: each forecast with its days, tours per day, warnings and diff to the previous one."""
    return out({"forecasts": forecast_lines(s, limit=limit)})


@router.get(f"{API}/forecasts/{{forecast_id}}", tags=["forecasts"])
def get_forecast(s: Caller, forecast_id: int) -> JSONResponse:
    return out(s.store.forecasts.get(s.scope, forecast_id))


# --- solves -------------------------------------------------------------------------


@router.post(f"{API}/forecasts/{{forecast_id}}/solve", tags=["solves"], status_code=202)
def post_solve(request: Request, s: Caller, forecast_id: int, body: SolveBody | None = None) -> JSONResponse:
    """Queue a solve (202): poll GET /api/v1/solves/{id} or follow /events; 423 while one runs for it."""
    body = body or SolveBody()

    def compute() -> tuple[int, Any]:
        job = request.app.state.solves.submit(s, forecast_id, seed=body.seed, time_limit=body.time_limit)
        return 202, job.view()

    return once(request, s, body.model_dump_json().encode(), compute)


@router.get(f"{API}/solves/{{job_id}}", tags=["solves"])
def get_solve(request: Request, s: Caller, job_id: str) -> JSONResponse:
    return out(request.app.state.solves.get(s, job_id).view())


@router.get(f"{API}/solves/{{job_id}}/events", tags=["solves"], response_class=StreamingResponse)
def get_solve_events(request: Request, s: Caller, job_id: str) -> StreamingResponse:
    """Server-sent events: `state` and `progress` events until the job finishes."""
    queue = request.app.state.solves
    job = queue.get(s, job_id)

    def stream() -> Any:
        import json

        sent = 0
        while True:
            events = queue.events_after(job, sent, timeout=15.0)
            if not events:
                if job.finished:
                    return
                yield ": keep-alive\n\n"
                continue
            for e in events:
                yield f"event: {e['event']}\ndata: {json.dumps(e['data'])}\n\n"
            sent += len(events)
            if job.finished and sent >= len(job.events):
                return

    return StreamingResponse(stream(), media_type="text/event-stream")


# --- plans (runs) -------------------------------------------------------------------


@router.get(f"{API}/plans", tags=["plans"])
def get_plans(
    s: Caller, site: Annotated[str | None, Query(max_length=64)] = None, week: date | None = None,
    state: Annotated[list[State] | None, Query()] = None, limit: Limit = 50,
) -> JSONResponse:
    states = [x.value for x in state] if state else None
    return out({"plans": run_ops.list_runs(s, site=site, week=week, states=states, limit=limit)})


@router.get(f"{API}/plans/{{plan_id}}", tags=["plans"])
def get_plan(s: Caller, plan_id: int) -> JSONResponse:
    """The plan's state (the runbook's QUEUED…AUDITED, PUBLISHED, LOCKED), KPIs, actions and why not."""
    v = run_ops.show_run(s, plan_id)
    return out({
        "id": v.run.id, "status": v.run.state, "state_version": v.run.state_version, "run": v.run, "kpis": v.kpis,
        "lower_bound": v.lower_bound, "gap": v.gap, "has_warnings": v.has_warnings,
        "awaiting_second_approver": v.awaiting_second_approver, "actions": v.actions, "next_steps": v.next_steps,
        "integrity": v.integrity, "audits": [{"name": a.name, "status": a.status, "violations": a.violations}
                                              for a in v.detail.audits],
    })


@router.get(f"{API}/plans/{{plan_id}}/view", tags=["plans"])
def get_plan_view(s: Caller, plan_id: int) -> JSONResponse:
    """Everything the review screen and `show-run` show (remote mode renders it as local mode does)."""
    return out(run_ops.show_run(s, plan_id))


@router.get(f"{API}/plans/{{plan_id}}/kpis", tags=["plans"])
def get_kpis(s: Caller, plan_id: int) -> JSONResponse:
    v = run_ops.show_run(s, plan_id)
    return out({"id": plan_id, "kpis": v.kpis, "lower_bound": v.lower_bound, "gap": v.gap})


@router.get(f"{API}/plans/{{plan_id}}/audits", tags=["plans"])
def get_audits(s: Caller, plan_id: int) -> JSONResponse:
    """The seven audits with their violation rows."""
    return out({"id": plan_id, "audits": s.store.plans.detail(s.scope, plan_id).audits})


@router.get(f"{API}/plans/{{plan_id}}/schedules", tags=["plans"])
def get_schedules(s: Caller, plan_id: int, driver: Annotated[str | None, Query(max_length=64)] = None) -> JSONResponse:
    """Each driver's week (one driver with `?driver=`)."""
    weeks = run_ops.show_run(s, plan_id).weeks
    if driver is not None:
        weeks = [w for w in weeks if w.driver_id == driver]
        if not weeks:
            raise ApiError(404, f"driver {driver} has no work in plan {plan_id}")
    return out({"id": plan_id, "drivers": weeks})


@router.get(f"{API}/plans/{{plan_id}}/log", tags=["log"])
def get_plan_log(s: Caller, plan_id: int) -> JSONResponse:
    s.store.plans.get(s.scope, plan_id)  # 404 for a plan out of scope, not an empty log
    return out({"id": plan_id, "records": run_ops.approvals(s, plan_id)})


@router.get(f"{API}/log", tags=["log"])
def get_log(s: Caller, limit: Limit = 200) -> JSONResponse:
    return out({"records": run_ops.approvals(s, None, limit=limit)})


@router.get(f"{API}/log/verify", tags=["log"])
def get_log_verify(s: Caller) -> JSONResponse:
    report = run_ops.verify_log(s)
    return out({"ok": report.ok, **to_jsonable_python(report)})


def _decide(request: Request, s: Session, plan_id: int, body: ReasonBody | None, action: Any) -> JSONResponse:
    body = body or ReasonBody()

    def compute() -> tuple[int, Any]:
        outcome = action(s, plan_id, body.reason)
        if not outcome.changed:
            raise ApiError(409, outcome.message, {"run": outcome.run})
        return 200, to_jsonable_python({"status": outcome.run.state, "message": outcome.message, "run": outcome.run,
                                        "superseded": outcome.superseded, **_lock_fields(s, outcome.run)})

    return once(request, s, body.model_dump_json().encode(), compute)


def _lock_fields(s: Session, run: Any) -> dict[str, Any]:
    """The runbook's lock answer: locked_at and locked_by."""
    if run.state != "LOCKED":
        return {}
    rec = next((r for r in reversed(s.store.approvals.for_plan(s.scope, run.id)) if r.action == "lock"), None)
    return {"locked_at": run.locked_at, "locked_by": rec.actor if rec else None}


@router.post(f"{API}/plans/{{plan_id}}/publish", tags=["plans"])
def post_publish(request: Request, s: Caller, plan_id: int, body: ReasonBody | None = None) -> JSONResponse:
    return _decide(request, s, plan_id, body, run_ops.publish)


@router.post(f"{API}/plans/{{plan_id}}/lock", tags=["plans"])
def post_lock(request: Request, s: Caller, plan_id: int, body: ReasonBody | None = None) -> JSONResponse:
    """PUBLISHED → LOCKED; 409 when it is already locked (the body says by whom and when)."""
    return _decide(request, s, plan_id, body, run_ops.lock)


@router.post(f"{API}/plans/{{plan_id}}/reject", tags=["plans"])
def post_reject(request: Request, s: Caller, plan_id: int, body: ReasonBody | None = None) -> JSONResponse:
    return _decide(request, s, plan_id, body, run_ops.reject)


@router.get(f"{API}/jobs", tags=["server"])
def get_jobs(s: Caller) -> JSONResponse:
    """The weekly solve: this week's slot, whether it fired, what is due and what was solved."""
    return out(jobs_view(s))


# --- users --------------------------------------------------------------------------


@router.post(f"{API}/users/{{login}}/keys", tags=["users"], status_code=201)
def post_user_key(request: Request, s: Caller, login: str) -> JSONResponse:
    """A new API key for a user (platform_admin); shown once, stored hashed."""
    return once(request, s, b"", lambda: (201, {"login": login, "key": create_key(s, login)}))
