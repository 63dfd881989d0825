"""A webhook receiver on loopback for the tests (driver notifications, escalation alerts): every attempt
counted, one message kept per idempotency key, the first `fail_first` attempts refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Inbox:
    """What a test server was handed: every attempt, and the messages it kept (one per idempotency key)."""

    fail_first: int = 0
    attempts: int = 0
    kept: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str, data: bytes) -> bool:
        """False: refuse this attempt (the first `fail_first` ones)."""
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return False
            self.kept.setdefault(key, data)  # a resend with a known key is the same message
            return True



@contextmanager
def webhook_server() -> Iterator[tuple[Inbox, ThreadingHTTPServer]]:
    """An HTTP webhook on loopback in a thread (stopped when the block ends); `Inbox.fail_first` refuses with 503."""
    inbox = Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook = getattr(self.server, "on_request", None)
            accepted = inbox.take(self.headers["Idempotency-Key"], body)
            if hook is not None:
                hook()
            self.send_response(200 if accepted else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield inbox, server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
