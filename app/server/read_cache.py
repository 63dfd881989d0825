"""A short-lived cache of GET answers, per API key: the server is the only writer of its store, so it
knows when the data changed. Any non-GET request and any solve job event bump a generation that
invalidates every entry; entries also expire after TTL seconds (views that depend on the clock,
such as an open lock window, or on a solver lease going stale). Each read of the store opens the
file (storage/db.py) and all of them share one engine, so a plan's page costs ~80 ms and twenty
clients asking at once would wait for each other for seconds (measured: p99 1.8 s). Hence:

- one computation per answer: requests that miss the same answer while it is computed wait for
  that one computation instead of repeating it;
- an entry past its TTL (same generation: nothing was written) is refreshed by one request while
  the others get it as it was, at most one computation's time older. A write is never served stale.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from app.ops.api_keys import key_hash

TTL = 2.0
MAX_ENTRIES = 2_000
# live progress and the scheduler's view; alerts are cached (every remote cockpit polls them): a refused read
# that raises one invalidates like a write (app/server/errors.note_refusal), a solve's alerts come before its last event
UNCACHED = ("/api/v1/solves/", "/api/v1/jobs")


@dataclass(frozen=True)
class Entry:
    generation: int
    at: float
    body: bytes
    media_type: str


class ReadCache:
    def __init__(self, *, enabled: bool = True) -> None:
        """`enabled=False` for a PostgreSQL store: other servers write it too, so this one cannot know
        when its answers went stale (and its reads are fast without opening a file)."""
        self.enabled = enabled
        self._entries: OrderedDict[tuple[str, str], Entry] = OrderedDict()
        self._generation = 0
        self._lock = threading.Lock()
        self._flights: dict[tuple[str, str, int], asyncio.Future[Entry | None]] = {}  # event loop only

    def cacheable(self, path: str) -> bool:
        return self.enabled and path.startswith("/api/v1/") and not path.startswith(UNCACHED)

    def changed(self) -> None:
        """Something may have written the store: forget every answer."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, who: str, url: str, *, stale: bool = False) -> Entry | None:
        """The answer of the current generation, younger than TTL (or of any age, `stale`)."""
        with self._lock:
            entry = self._entries.get((who, url))
            if entry is None or entry.generation != self._generation:
                return None
            if not stale and time.monotonic() - entry.at > TTL:
                return None
            return entry

    def put(self, who: str, url: str, generation: int, body: bytes, media_type: str) -> Entry | None:
        """Keep an answer computed while `generation` was current (dropped if the data changed meanwhile)."""
        entry = Entry(generation, time.monotonic(), body, media_type)
        with self._lock:
            if generation != self._generation:
                return None
            self._entries[(who, url)] = entry
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return entry

    async def answer(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """The HTTP middleware: writes invalidate, reads come from the cache or one shared computation."""
        if request.method != "GET":
            try:
                return await call_next(request)
            finally:
                self.changed()
        key = request.headers.get("x-api-key")
        if not key or not self.cacheable(request.url.path):
            return await call_next(request)
        who, url = key_hash(key), str(request.url)
        entry = self.get(who, url, stale=True)
        flight = (who, url, self.generation)
        if entry is not None and (time.monotonic() - entry.at <= TTL or flight in self._flights):
            return _hit(entry)
        waiting = self._flights.get(flight)
        if waiting is not None:
            shared = await asyncio.shield(waiting)
            if shared is not None:
                return _hit(shared)
            return await call_next(request)  # the shared one was no cacheable answer (an error): ask ourselves
        self._flights[flight] = asyncio.get_running_loop().create_future()
        result: Entry | None = None
        try:
            response = await call_next(request)
            iterator = getattr(response, "body_iterator", None)  # what call_next hands back streams its body
            if response.status_code != 200 or iterator is None or "text/event-stream" in response.headers.get("content-type", ""):
                return response
            body = b"".join([chunk if isinstance(chunk, bytes) else chunk.encode() async for chunk in iterator])
            media = response.media_type or response.headers.get("content-type", "application/json")
            result = self.put(who, url, flight[2], body, media)
            return Response(body, status_code=200, media_type=media, headers={"X-Trace-Id": request.state.trace_id})
        finally:
            self._flights.pop(flight).set_result(result)


def _hit(entry: Entry) -> Response:
    return Response(entry.body, media_type=entry.media_type, headers={"X-Cache": "hit"})
