"""Escalation alerts (runbook §9.1) from real solves and refused requests, stored once per open subject,
posted to a webhook on loopback (one that fails twice, then accepts), listed and acknowledged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from live_server import client, live_server, mint_key
from ops_world import (
    ADMIN,
    DISPATCHER,
    OPS_LEAD,
    ROLE_LOGINS,
    SITE,
    TENANT,
    WEEK_A,
    World,
    cli,
    solve,
    write,
)
from webhook_server import Inbox, webhook_server

from app.ops.alerts import run_alerts
from storage import Scope, Store

TOO_LONG = "Mo 06:00-21:00 2 Fahrer\nMo 06:00-18:00 1 Fahrer\n"  # a 15 h tour: no legal plan covers it
ACK = "looked at it, solver host was overloaded"


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, ThreadingHTTPServer]]:
    with webhook_server() as (inbox, server):
        monkeypatch.setenv("SOLVEREIGN_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_address[1]}/alerts")
        monkeypatch.setenv("SOLVEREIGN_NOTIFY_BACKOFF", "0.01")
        yield inbox, server


def alerts(w: World, login: str = ADMIN, *extra: str) -> list[dict]:
    r = cli(w.db, "alerts", "--json", *extra, login=login)
    assert r.code == 0, r
    return r.json["alerts"]


def test_solver_timeout_is_s2_posted_once_after_two_refusals(fresh_world: World, hook: tuple[Inbox, ThreadingHTTPServer]):
    inbox, _server = hook
    inbox.fail_first = 2
    r = solve(fresh_world.db, fresh_world.forecasts["clean_a"], login=DISPATCHER, time_limit=0.01)
    assert r.code == 0 and r.json["state"] == "AUDITED", r
    [alert] = alerts(fresh_world)
    assert (alert["severity"], alert["kind"], alert["subject"]) == ("S2", "solver_timeout", f"run {r.json['run_id']}")
    assert alert["delivery_state"] == "DELIVERED" and alert["delivery_attempts"] == 3
    assert inbox.attempts == 3 and len(inbox.kept) == 1  # refused twice, delivered once
    posted = json.loads(next(iter(inbox.kept.values())))
    assert posted["id"] == alert["id"] and posted["severity"] == "S2" and posted["tenant"] == TENANT


def test_the_same_open_alert_is_not_raised_twice(fresh_world: World, hook: tuple[Inbox, ThreadingHTTPServer]):
    from app.ops.alerts import deliver_pending
    from app.ops.session import open_session
    from engine.clock import parse_now
    from storage.repo_alerts import NewAlert

    inbox, _server = hook
    r = solve(fresh_world.db, fresh_world.forecasts["clean_a"], login=DISPATCHER, time_limit=0.01)
    [first] = alerts(fresh_world)
    s = open_session(fresh_world.db, parse_now("2026-01-01T12:00"), DISPATCHER)
    same = NewAlert(site=SITE, severity="S2", kind="solver_timeout", subject=f"run {r.json['run_id']}", message="again")
    again, new = s.store.alerts.raise_alert(s.scope, same)
    assert (again.id, new, again.message) == (first["id"], False, first["message"])
    assert deliver_pending(s) == [] and inbox.attempts == 1  # delivered once, not posted again
    assert cli(fresh_world.db, "alerts", "ack", str(first["id"]), "--reason", ACK, login=OPS_LEAD).code == 0
    reopened, new = s.store.alerts.raise_alert(s.scope, same)  # acknowledged: the next one is a new alert
    assert new and reopened.id != first["id"] and [a["id"] for a in alerts(fresh_world)] == [reopened.id]
    assert inbox.attempts == 1 and len(deliver_pending(s)) == 1 and inbox.attempts == 2


def test_no_legal_plan_is_a_coverage_alert_s1(fresh_world: World, tmp_path: Path):
    r = cli(fresh_world.db, "import", str(write(tmp_path / "long.txt", TOO_LONG)), "--anchor", WEEK_A, "--json", login=DISPATCHER)
    solved = solve(fresh_world.db, r.json["forecast_id"], login=DISPATCHER)
    assert solved.json["state"] == "FAILED", solved
    [alert] = alerts(fresh_world, DISPATCHER)
    assert (alert["severity"], alert["kind"]) == ("S1", "coverage")
    assert alert["delivery_state"] == "PENDING"  # no webhook configured: stored and shown, posted once one is


def test_the_matrix_of_one_run(world: World):
    """Audit failure S2 and coverage S1 are read off the run's stored counts (a passing run raises nothing)."""
    run = Store(world.db, read_only=True).plans.get(Scope.of(TENANT, SITE), world.runs["clean"])
    assert run_alerts(run, None) == []
    failing = run.model_copy(update={"audits_passed": run.audits_total - 1})
    short = run.model_copy(update={"assigned_count": run.instance_count - 1})
    assert [(a.severity, a.kind) for a in run_alerts(failing, None)] == [("S2", "audit_failure")]
    assert [(a.severity, a.kind) for a in run_alerts(short, None)] == [("S1", "coverage")]


def test_asking_for_another_tenants_plan_is_s0_without_leaking_it(fresh_world: World):
    w = fresh_world
    theirs, missing = cli(w.db, "show-run", str(w.runs["rival"]), login=DISPATCHER), cli(w.db, "show-run", "9999", login=DISPATCHER)
    assert theirs.code == missing.code == 1
    assert theirs.err.replace(str(w.runs["rival"]), "N") == missing.err.replace("9999", "N")  # the same answer as no plan at all
    assert cli(w.db, "show-run", str(w.runs["graz"]), login=DISPATCHER).code == 1  # another site of the own tenant
    assert cli(w.db, "show-run", str(w.runs["rival"]), login=DISPATCHER).code == 1  # asked again: still one alert
    found = alerts(w)
    assert [(a["severity"], a["kind"], a["subject"]) for a in found] == [
        ("S0", "scope_violation", f"plan {w.runs['graz']} by {DISPATCHER}"),
        ("S0", "scope_violation", f"plan {w.runs['rival']} by {DISPATCHER}"),
    ]  # worst first, then newest
    assert all(a["tenant"] == TENANT and a["site"] == SITE and "rival" not in a["message"] and "graz" not in a["message"] for a in found)
    assert alerts(w, DISPATCHER) == [] and alerts(w, OPS_LEAD) == []  # S0 is for platform_admin's eyes
    assert alerts(w, "rita") == []  # the other tenant learns nothing either


@pytest.mark.parametrize(("severity", "allowed"), [
    ("S2", {"on_call", "ops_lead", "platform_admin"}), ("S1", {"ops_lead", "platform_admin"}), ("S0", {"platform_admin"}),
])
def test_ack_roles_per_severity_and_reason(fresh_world: World, severity: str, allowed: set[str]):
    from storage.repo_alerts import NewAlert

    store = Store(fresh_world.db)
    alert, _new = store.alerts.raise_alert(Scope.of(TENANT, SITE), NewAlert(
        site=SITE, severity=severity, kind="test", subject="run 1", message="a test alert"))
    for role, login in ROLE_LOGINS.items():
        if role not in allowed:
            r = cli(fresh_world.db, "alerts", "ack", str(alert.id), "--reason", ACK, login=login)
            assert r.code == 2 and f"role {role}" in r.error_line, r
    login = ROLE_LOGINS[sorted(allowed)[0]]
    short = cli(fresh_world.db, "alerts", "ack", str(alert.id), "--reason", "ok", login=login)
    assert short.code == 2 and "reason" in short.error_line
    assert store.alerts.get(Scope.of(TENANT, SITE), alert.id).acked_at is None  # refusals changed nothing
    done = cli(fresh_world.db, "alerts", "ack", str(alert.id), "--reason", ACK, "--json", login=login)
    assert done.code == 0 and done.json["acked_by"] == login and done.json["ack_reason"] == ACK
    again = cli(fresh_world.db, "alerts", "ack", str(alert.id), "--reason", ACK, login=login)
    assert again.code == 1 and "already acknowledged" in again.error_line
    assert cli(fresh_world.db, "alerts", "ack", "999", "--reason", ACK, login=login).code == 1
    assert alerts(fresh_world) == [] and [a["id"] for a in alerts(fresh_world, ADMIN, "--all")] == [alert.id]


def test_alerts_over_http(fresh_world: World):
    """GET /api/v1/alerts, POST …/ack with the other routes' codes; a 404 for another tenant's plan raises S0."""
    w = fresh_world
    admin, dora, otto = (mint_key(w.db, who) for who in (ADMIN, DISPATCHER, ROLE_LOGINS["on_call"]))
    with live_server(w.db) as url, client(url, dora) as as_dora, client(url, admin) as as_admin, client(url, otto) as as_otto:
        assert as_admin.get("/api/v1/alerts").json()["alerts"] == []  # an answer the read cache keeps …
        assert as_dora.get(f"/api/v1/plans/{w.runs['rival']}").status_code == 404
        body = as_admin.get("/api/v1/alerts").json()  # … forgotten when the refused read raised the alert
        [alert] = body["alerts"]
        assert alert["kind"] == "scope_violation" and body["banner"] == {"count": 1, "worst": "S0"}
        assert as_dora.get("/api/v1/alerts").json() == {"alerts": [], "banner": {"count": 0, "worst": None}}
        assert as_otto.post(f"/api/v1/alerts/{alert['id']}/ack", json={"reason": ACK}).status_code == 403
        assert as_admin.post(f"/api/v1/alerts/{alert['id']}/ack", json={"reason": "short"}).status_code == 403
        assert as_admin.post("/api/v1/alerts/999/ack", json={"reason": ACK}).status_code == 404
        ok = as_admin.post(f"/api/v1/alerts/{alert['id']}/ack", json={"reason": ACK})
        assert ok.status_code == 200 and ok.json()["alert"]["acked_by"] == ADMIN
        assert as_admin.post(f"/api/v1/alerts/{alert['id']}/ack", json={"reason": ACK}).status_code == 409
        assert as_admin.get("/api/v1/alerts").json()["alerts"] == []
        assert len(as_admin.get("/api/v1/alerts", params={"all": "true"}).json()["alerts"]) == 1
        assert client(url, None).get("/api/v1/alerts").status_code == 401


def test_alerts_and_ack_in_remote_mode_print_and_exit_as_locally(fresh_world: World, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path):
    """`--api`: `alerts` lists what the local command lists; `alerts ack` refuses and succeeds with the same lines."""
    w = fresh_world
    monkeypatch.setenv("SOLVEREIGN_CONFIG", str(tmp_path / "none.toml"))
    r = solve(w.db, w.forecasts["clean_a"], login=DISPATCHER, time_limit=0.01)  # a timeout: one S2 alert
    assert r.code == 0, r
    [alert] = alerts(w)
    local = [cli(w.db, "alerts", *extra, login=ADMIN, now=None) for extra in ((), ("--all",))]
    monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, ADMIN))
    with live_server(w.db) as url:
        over = [cli(None, "--api", url, "alerts", *extra, login=ADMIN, now=None) for extra in ((), ("--all",))]
        assert [(o.code, o.out) for o in over] == [(x.code, x.out) for x in local]
        short = cli(None, "--api", url, "alerts", "ack", str(alert["id"]), "--reason", "short", login=ADMIN, now=None)
        assert short.code != 0 and "reason" in short.error_line
        done = cli(None, "--api", url, "alerts", "ack", str(alert["id"]), "--reason", ACK, login=ADMIN, now=None)
        assert done.code == 0 and done.out == f"alert {alert['id']} acknowledged by {ADMIN}\n"
        again = cli(None, "--api", url, "alerts", "ack", str(alert["id"]), "--reason", ACK, login=ADMIN, now=None)
    assert again.code != 0
    assert alerts(w) == []
