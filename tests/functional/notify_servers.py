"""Loopback servers a notification test starts and stops: an SMTP server (aiosmtpd) and an HTTP
webhook (tests/functional/webhook_server.py), each keeping one message per idempotency key and able to
refuse its first attempts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from ops_world import ADMIN, DISPATCHER, LOCK_REASON, REASON, SITE, World, balanced_week, cli, solve, write
from webhook_server import Inbox, webhook_server


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
    with webhook_server() as found:
        yield found


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
