"""Loopback servers a notification test starts and stops: an SMTP server (aiosmtpd) and an HTTP
webhook, each keeping one message per idempotency key and able to refuse its first attempts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from ops_world import ADMIN, DISPATCHER, LOCK_REASON, REASON, SITE, World, balanced_week, cli, solve, write


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


class _SmtpHandler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        key = message_from_bytes(envelope.content)["X-Idempotency-Key"]
        return "250 OK" if self.inbox.take(key, envelope.content) else "451 try again later"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port (aiosmtpd checks readiness by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(_SmtpHandler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[Inbox, ThreadingHTTPServer]]:
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


def channel_env(smtp_port: int, server: ThreadingHTTPServer) -> dict[str, str]:
    return {"SOLVEREIGN_SMTP_HOST": "127.0.0.1", "SOLVEREIGN_SMTP_PORT": str(smtp_port), "SOLVEREIGN_SMTP_TLS": "none",
            "SOLVEREIGN_WEBHOOK_URL": f"http://127.0.0.1:{server.server_address[1]}/send",
            "SOLVEREIGN_NOTIFY_BACKOFF": "0.05"}


WEEK = "2026-01-26"
ROSTER = (
    "external_id,name,contract_type,max_hours_week,skills,depot,unavailable_days,email,phone,preferred_channel\n"
    "N-1,Nora Email,full_time,55,standard,default,,nora@example.at,,email\n"
    "N-2,Nick Phone,full_time,55,standard,default,,,+43 660 1111111,sms\n"
    "N-3,Nina Silent,full_time,55,standard,default,,,,\n"
)


def locked_week(w: World, tmp: Path) -> int:
    """The three-driver week of the roster above, solved, published and locked."""
    assert cli(w.db, "drivers", "import", str(write(tmp / "roster.csv", ROSTER)), "--site", SITE, login=ADMIN).code == 0
    r = cli(w.db, "import", str(write(tmp / "week.csv", balanced_week(3, shift=5))), "--anchor", WEEK, "--json", login=DISPATCHER)
    assert r.code == 0, r
    solved = solve(w.db, r.json["forecast_id"], login=DISPATCHER)
    assert solved.code == 0, solved
    run_id = solved.json["run_id"]
    assert cli(w.db, "publish", str(run_id), "--reason", REASON, login=DISPATCHER).code == 0
    assert cli(w.db, "lock", str(run_id), "--reason", LOCK_REASON, login=DISPATCHER).code == 0
    return run_id
