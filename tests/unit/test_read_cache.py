"""The server's read cache (app/server/read_cache.py) in front of a tiny ASGI app whose one read is slow
and counted: concurrent misses share one computation, an expired entry is refreshed by one request
while the others get it as it was, and after a write nothing is served stale."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.server import read_cache
from app.server.read_cache import ReadCache

SLOW = 0.2


class Counted:
    def __init__(self) -> None:
        self.calls = 0
        self.value = 0
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock:
            self.calls += 1
        time.sleep(SLOW)  # a sync route: runs in the threadpool like the real ones
        return self.value


def make_app(counted: Counted) -> FastAPI:
    app = FastAPI()
    cache = ReadCache()

    @app.middleware("http")
    async def trace(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.trace_id = "t"
        return await call_next(request)

    app.middleware("http")(cache.answer)

    @app.get("/api/v1/thing")
    def thing() -> JSONResponse:
        return JSONResponse({"value": counted.read()})

    @app.post("/api/v1/thing")
    def bump() -> JSONResponse:
        counted.value += 1
        return JSONResponse({"value": counted.value})

    @app.get("/api/v1/broken")
    def broken() -> JSONResponse:
        counted.read()
        return JSONResponse({"error": "no"}, status_code=404)

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers={"X-API-Key": "k"})


async def test_concurrent_misses_share_one_computation() -> None:
    counted = Counted()
    async with client(make_app(counted)) as c:
        answers = await asyncio.gather(*[c.get("/api/v1/thing") for _ in range(20)])
    assert {r.json()["value"] for r in answers} == {0}
    assert counted.calls == 1


async def test_error_answers_are_not_shared_or_kept() -> None:
    counted = Counted()
    async with client(make_app(counted)) as c:
        answers = await asyncio.gather(*[c.get("/api/v1/broken") for _ in range(3)])
        assert {r.status_code for r in answers} == {404}
        assert counted.calls == 3  # each asked itself once the first one's answer was no cacheable one
        await c.get("/api/v1/broken")
    assert counted.calls == 4


async def test_an_expired_entry_is_refreshed_by_one_request_while_others_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_cache, "TTL", 0.05)
    counted = Counted()
    async with client(make_app(counted)) as c:
        await c.get("/api/v1/thing")
        await asyncio.sleep(0.1)  # expired, nothing written
        started = time.monotonic()
        answers = await asyncio.gather(*[c.get("/api/v1/thing") for _ in range(10)])
        assert counted.calls == 2
        assert sum(r.headers.get("X-Cache") == "hit" for r in answers) == 9
        assert time.monotonic() - started < SLOW * 3


async def test_a_write_is_never_served_stale() -> None:
    counted = Counted()
    async with client(make_app(counted)) as c:
        assert (await c.get("/api/v1/thing")).json()["value"] == 0
        assert (await c.post("/api/v1/thing")).json()["value"] == 1
        answers = await asyncio.gather(*[c.get("/api/v1/thing") for _ in range(5)])
    assert {r.json()["value"] for r in answers} == {1}
    assert counted.calls == 2
