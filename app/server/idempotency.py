"""`Idempotency-Key` on POSTs: a repeated request with the same key gets the first answer again.

Kept in memory per server process and per user (keys of different users never collide); a key
reused with a different method, path or body is refused with 422. Concurrent duplicates wait for
the first to finish. Error answers are not kept, so a client may retry a refusal."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.server.errors import ApiError

MAX_KEPT = 10_000


@dataclass(frozen=True)
class Answer:
    fingerprint: str
    status: int
    body: Any


class IdempotencyCache:
    def __init__(self) -> None:
        self._answers: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def run(self, login: str, key: str | None, request_id: str, body: bytes, compute: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
        """`compute()` once per (login, key); `request_id` is "METHOD path"."""
        if not key:
            return compute()
        slot = (login, key)
        fingerprint = hashlib.sha256(request_id.encode() + b"\0" + body).hexdigest()
        with self._guard:
            lock = self._locks.setdefault(slot, threading.Lock())
        with lock:
            kept = self._answers.get(slot)
            if kept is not None:
                if kept.fingerprint != fingerprint:
                    raise ApiError(422, f"Idempotency-Key {key!r} was already used for a different request")
                return kept.status, kept.body
            status, answer = compute()
            with self._guard:
                self._answers[slot] = Answer(fingerprint, status, answer)
                while len(self._answers) > MAX_KEPT:
                    old, _ = self._answers.popitem(last=False)
                    self._locks.pop(old, None)
            return status, answer
