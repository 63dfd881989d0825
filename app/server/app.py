"""The ASGI app: one Store (a path, never a held connection), the solves (in this process on DuckDB,
jobs in the store's queue on PostgreSQL), idempotency answers,
a trace id per request (in every error body, the `X-Trace-Id` header and the server log)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response

from app.ops.session import is_overridden
from app.server import errors
from app.server.idempotency import IdempotencyCache
from app.server.read_cache import ReadCache
from app.server import (
    routes_admin, routes_alerts, routes_drills, routes_evidence, routes_forecast_views, routes_repair, routes_solve_cancel,
)
from app.server import routes_baseline, routes_edit, routes_gdpr, routes_handoff, routes_notify
from app.server.routes import router
from app.server.queued_solves import QueuedSolves
from app.server.scheduler import Scheduler
from app.server.solves import SolveQueue
from engine.clock import Clock
from storage.store import Store


def create_app(
    db_path: Path, clock: Clock, *, workers: int | None = None, on_stop: Callable[[], None] | None = None,
    jobs_every: float = 30.0, job_time_limit: float = 60.0,
) -> FastAPI:
    """`on_stop` runs after the solves ended at shutdown (uvicorn re-raises SIGTERM after it, so a
    `finally` around the server would not run)."""
    store = Store(db_path, clock=clock.now, clock_override=is_overridden(clock))
    store.init()  # migrate now, not on a first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.scheduler.start()
        yield
        app.state.scheduler.stop()
        app.state.solves.shutdown()
        if on_stop is not None:
            on_stop()

    app = FastAPI(title="solvereign", version="0.1.0", lifespan=lifespan,
                  description="The roster cockpit's operations over HTTP; authenticate with X-API-Key.")
    app.state.store = store
    app.state.clock = clock
    app.state.solves = SolveQueue(workers) if store.backend == "duckdb" else QueuedSolves(store, clock, workers)
    app.state.idempotency = IdempotencyCache()
    app.state.read_cache = ReadCache(enabled=store.backend == "duckdb")
    app.state.solves.on_event = app.state.read_cache.changed  # a solve writes runs as it goes
    app.state.scheduler = Scheduler(store, clock, app.state.solves, every=jobs_every, time_limit=job_time_limit)
    errors.install(app)

    @app.middleware("http")
    async def trace(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request.state.trace_id = request.headers.get("x-trace-id") or uuid.uuid4().hex
        if len(request.state.trace_id) > 64 or not request.state.trace_id.isprintable():
            request.state.trace_id = uuid.uuid4().hex
        response = await call_next(request)
        response.headers.setdefault("X-Trace-Id", request.state.trace_id)
        return response

    app.middleware("http")(app.state.read_cache.answer)
    app.include_router(router)
    for extra in (routes_repair, routes_evidence, routes_drills, routes_admin, routes_solve_cancel, routes_forecast_views, routes_alerts,
                  routes_edit, routes_notify, routes_gdpr, routes_handoff, routes_baseline):
        app.include_router(extra.router)
    return app
