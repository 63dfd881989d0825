"""Drivers told their week: real servers on loopback, started and stopped by each test — an SMTP
server (aiosmtpd) and an HTTP webhook — that fail twice then accept, a crash between send and
record, and drivers without contact data."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from email import message_from_bytes
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from webhook_server import Inbox, webhook_server
from ops_world import (
    ADMIN,
    DISPATCHER,
    LOCK_REASON,
    NOW_OPEN,
    REASON,
    SITE,
    World,
    balanced_week,
    cli,
    global_args,
    solve,
    solvereign_argv,
    subprocess_env,
    write,
)

WEEK = "2026-01-26"
ROSTER = (
    "external_id,name,contract_type,max_hours_week,skills,depot,unavailable_days,email,phone,preferred_channel\n"
    "N-1,Nora Email,full_time,55,standard,default,,nora@example.at,,email\n"
    "N-2,Nick Phone,full_time,55,standard,default,,,+43 660 1111111,sms\n"
    "N-3,Nina Silent,full_time,55,standard,default,,,,\n"
)


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


def _env(smtp_port: int, server: ThreadingHTTPServer) -> dict[str, str]:
    return {"SOLVEREIGN_SMTP_HOST": "127.0.0.1", "SOLVEREIGN_SMTP_PORT": str(smtp_port), "SOLVEREIGN_SMTP_TLS": "none",
            "SOLVEREIGN_WEBHOOK_URL": f"http://127.0.0.1:{server.server_address[1]}/send",
            "SOLVEREIGN_NOTIFY_BACKOFF": "0.05"}


def _locked_week(w: World, tmp: Path) -> int:
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


def _status(w: World, run_id: int) -> dict[str, dict]:
    r = cli(w.db, "notify", "status", str(run_id), "--json", login=DISPATCHER)
    assert r.code == 0, r
    return {m["driver_id"]: m for m in r.json["messages"]}


def test_servers_failing_twice_get_exactly_one_message_each_and_a_silent_driver_is_reported(
    fresh_world: World, tmp_path: Path, smtp: tuple[Inbox, int], webhook: tuple[Inbox, ThreadingHTTPServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (mail, port), (hook, server) = smtp, webhook
    mail.fail_first = hook.fail_first = 2
    for k, v in _env(port, server).items():
        monkeypatch.setenv(k, v)
    run_id = _locked_week(fresh_world, tmp_path)
    assert cli(fresh_world.db, "notify", "status", str(run_id), "--json", login=DISPATCHER).json["messages"] == []

    r = cli(fresh_world.db, "notify", str(run_id), "--json", login=DISPATCHER)
    assert r.code == 0, r
    assert sorted(r.json["sent"]) == ["N-1", "N-2"] and r.json["no_contact"] == ["N-3"]
    assert (mail.attempts, len(mail.kept), hook.attempts, len(hook.kept)) == (3, 1, 3, 1)
    status = _status(fresh_world, run_id)
    assert status["N-1"]["channel"] == "email" and status["N-1"]["state"] == "SENT" and status["N-1"]["attempts"] == 3
    assert status["N-2"]["channel"] == "webhook" and status["N-2"]["state"] == "SENT"
    assert status["N-3"]["state"] == "NO_CONTACT" and "no contact data" in status["N-3"]["last_error"]

    email = message_from_bytes(next(iter(mail.kept.values())))
    assert email["To"] == "nora@example.at" and "Your week of 2026-01-26" in email["Subject"]
    parts = {p.get_content_type(): p for p in email.walk()}
    text, ics = parts["text/plain"].get_payload(decode=True).decode(), parts["text/calendar"].get_payload(decode=True)
    tours = [line for line in text.splitlines() if line.startswith(("Mo ", "Di ", "Mi ", "Do ", "Fr "))]
    assert len(tours) == 10 and all("depot default" in t for t in tours)
    assert ics.count(b"BEGIN:VEVENT") == 10
    sms = json.loads(next(iter(hook.kept.values())))
    assert sms["to"] == "+43 660 1111111" and sms["idempotency_key"] == status["N-2"]["key"]

    again = cli(fresh_world.db, "notify", str(run_id), "--json", login=DISPATCHER)
    assert again.code == 0 and again.json["queued"] == 0
    assert (mail.attempts, hook.attempts) == (3, 3)  # sent at most once


def test_a_crash_between_send_and_record_sends_no_duplicate_after_restart(
    fresh_world: World, tmp_path: Path, smtp: tuple[Inbox, int], webhook: tuple[Inbox, ThreadingHTTPServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (mail, port), (hook, server) = smtp, webhook
    env = _env(port, server)
    run_id = _locked_week(fresh_world, tmp_path)
    proc = subprocess.Popen(
        solvereign_argv(DISPATCHER, *global_args(fresh_world.db, NOW_OPEN, None), "notify", str(run_id)),
        env={**subprocess_env(), **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server.on_request = lambda: os.kill(proc.pid, signal.SIGKILL)  # type: ignore[attr-defined]  # the gateway has it; no record yet
    assert proc.wait(timeout=120) == -signal.SIGKILL
    server.on_request = None  # type: ignore[attr-defined]
    assert _status(fresh_world, run_id)["N-2"]["state"] == "PENDING"  # sent, but never recorded

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    r = cli(fresh_world.db, "notify", str(run_id), "--json", login=DISPATCHER)  # the restart
    assert r.code == 0, r
    assert hook.attempts == 2 and len(hook.kept) == 1  # resent with the same key: one message at the gateway
    assert len(mail.kept) == 1 == mail.attempts
    assert {d: m["state"] for d, m in _status(fresh_world, run_id).items()} == {"N-1": "SENT", "N-2": "SENT", "N-3": "NO_CONTACT"}


def test_notify_needs_a_locked_plan_and_a_configured_channel(fresh_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    r = cli(fresh_world.db, "notify", str(fresh_world.runs["clean"]), login=DISPATCHER)
    assert r.code == 2 and "LOCKED" in r.error_line
    r = cli(fresh_world.db, "notify", "status", "999999", login=DISPATCHER)
    assert r.code == 1 and "not found" in r.error_line


def _repair_swapping(w: World, parent: int, a: str, b: str) -> int:
    """A repair version of `parent` in which drivers a and b trade their weeks (all rules still hold)."""
    from engine.audits import run_audits
    from engine.kpis import compute_kpis
    from engine.hashing import output_hash
    from storage import AuditResult, NewPlan, PlanResult, Scope, Store
    from storage.scope import Actor

    store, scope = Store(w.db), Scope.of("acme", SITE)
    detail = store.plans.detail(scope, parent)
    swap = {a: b, b: a}
    assignments = {i: swap.get(d, d) for i, d in detail.assignments.items()}
    audits = run_audits(detail.instances, assignments)
    run = detail.summary
    result = PlanResult(
        instances=detail.instances, assignments=assignments,
        output_hash=output_hash(assignments, run.solver_config_hash),
        kpis=compute_kpis(detail.instances, assignments, audits=audits).model_dump(mode="json"),
        audits=[AuditResult(name=x.name, status=x.status, violations=x.violations) for x in audits],
    )
    new = NewPlan(forecast_id=run.forecast_id, kind="repair", parent_plan_id=parent, seed=run.seed,
                  solver_config_hash=run.solver_config_hash)
    return store.plans.save(scope, new, result, Actor(name=DISPATCHER, role="dispatcher")).plan.id


def test_after_a_repair_only_drivers_whose_week_changed_are_told(
    fresh_world: World, tmp_path: Path, smtp: tuple[Inbox, int], webhook: tuple[Inbox, ThreadingHTTPServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (mail, port), (hook, server) = smtp, webhook
    for k, v in _env(port, server).items():
        monkeypatch.setenv(k, v)
    parent = _locked_week(fresh_world, tmp_path)
    assert cli(fresh_world.db, "notify", str(parent), login=DISPATCHER).code == 0
    repair = _repair_swapping(fresh_world, parent, "N-1", "N-3")
    assert cli(fresh_world.db, "publish", str(repair), "--reason", REASON, login=DISPATCHER).code == 0
    assert cli(fresh_world.db, "lock", str(repair), "--reason", LOCK_REASON, login=DISPATCHER).code == 0
    r = cli(fresh_world.db, "notify", str(repair), "--json", login=DISPATCHER)
    assert r.code == 0, r
    assert r.json["sent"] == ["N-1"] and r.json["no_contact"] == ["N-3"] and r.json["unchanged"] == 1  # N-2 kept its week
    assert len(mail.kept) == 2 and len(hook.kept) == 1
    update = [message_from_bytes(m) for m in mail.kept.values() if b"updated" in m]
    assert len(update) == 1 and "updated, version 2" in update[0]["Subject"]


@pytest.mark.parametrize("login", ["vera", "otto"])  # viewer, on_call
def test_roles_that_may_not_notify_are_refused(fresh_world: World, login: str) -> None:
    run_id = fresh_world.runs["published"]
    assert cli(fresh_world.db, "lock", str(run_id), "--reason", LOCK_REASON, login=DISPATCHER).code == 0
    r = cli(fresh_world.db, "notify", str(run_id), login=login)
    assert r.code == 2 and "may not notify drivers" in r.error_line
    assert cli(fresh_world.db, "notify", "status", str(run_id), "--json", login=DISPATCHER).json["messages"] == []
