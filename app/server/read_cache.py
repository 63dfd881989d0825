"""A short-lived cache of GET answers, per API key: the server is the only writer of its store, so it
knows when the data changed. Any non-GET request and any solve job event bump a generation that
invalidates every entry; entries also expire after TTL seconds (views that depend on the clock,
such as an open lock window, or on a solver lease going stale). Each read of the store opens the
file (storage/db.py), which costs tens of milliseconds; the cache keeps reads under load fast."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

TTL = 2.0
MAX_ENTRIES = 2_000
UNCACHED = ("/api/v1/solves/", "/api/v1/jobs", "/api/v1/alerts")  # live progress, the scheduler's view, alerts (raised by refused reads too)


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

    def get(self, who: str, url: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get((who, url))
            if entry is None or entry.generation != self._generation or time.monotonic() - entry.at > TTL:
                return None
            return entry

    def put(self, who: str, url: str, generation: int, body: bytes, media_type: str) -> None:
        """Keep an answer computed while `generation` was current (dropped if the data changed meanwhile)."""
        with self._lock:
            if generation != self._generation:
                return
            self._entries[(who, url)] = Entry(generation, time.monotonic(), body, media_type)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
