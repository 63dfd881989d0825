"""Cancelling a background solve (remote mode's Ctrl-C): a job still queued ends CANCELLED without a run;
a running solve stops at the solver's next check and keeps its best plan so far (solver status STOPPED),
on DuckDB (a thread of this server) and on PostgreSQL (a queue job any worker may run) alike."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.ops.solving import check_can_solve
from app.server.routes import API, Caller, out

router = APIRouter(tags=["solves"])


@router.post(f"{API}/solves/{{job_id}}/cancel", status_code=202)
def post_cancel(request: Request, s: Caller, job_id: str) -> JSONResponse:
    """Ask the job to stop (202; idempotent: a finished job stays as it ended)."""
    job = request.app.state.solves.get(s, job_id)
    check_can_solve(s, job.forecast_id)  # who may solve it may stop it
    job.cancel()
    return out(job.view(), status=202)
