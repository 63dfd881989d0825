"""The HTTP API on a real loopback server: the runbook's paths, status codes, trace ids, idempotency."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import client, live_server, mint_key
from ops_world import ADMIN, DISPATCHER, GRAZ_USER, LOCK_REASON, OPS_LEAD, REASON, World, balanced_week

from app.errors import EXIT_BLOCKED
from app.ops.api_keys import key_hash


@pytest.fixture(scope="module")
def served(world: World) -> Iterator[tuple[World, str, dict[str, str]]]:
    keys = {login: mint_key(world.db, login) for login in (ADMIN, DISPATCHER, OPS_LEAD, GRAZ_USER, "vera")}
    with live_server(world.db) as url:
        yield world, url, keys


def test_health_and_openapi_need_no_key(served: tuple[World, str, dict[str, str]]) -> None:
    _, url, _ = served
    with client(url, None) as c:
        assert c.get("/health").json()["status"] == "ok"
        doc = c.get("/openapi.json").json()
    for path in ("/api/v1/forecasts", "/api/v1/forecasts/{forecast_id}", "/api/v1/plans/{plan_id}", "/api/v1/plans/{plan_id}/lock"):
        assert path in doc["paths"], path


def test_keys_are_stored_hashed_only(served: tuple[World, str, dict[str, str]]) -> None:
    world, _, keys = served
    raw = Path(world.db).read_bytes()
    assert keys[DISPATCHER].encode() not in raw
    assert len(key_hash(keys[DISPATCHER])) == 64


@pytest.mark.parametrize("key", [None, "sv_not-a-key"])
def test_no_or_invalid_key_is_401_with_a_trace_id(served: tuple[World, str, dict[str, str]], key: str | None) -> None:
    world, url, _ = served
    with client(url, key) as c:
        r = c.get(f"/api/v1/plans/{world.runs['clean']}")
    assert r.status_code == 401
    body = r.json()
    assert len(body["trace_id"]) == 32 and r.headers["X-Trace-Id"] == body["trace_id"]
    assert "API key" in body["error"]


def test_the_runbook_get_plan_answers_the_state(served: tuple[World, str, dict[str, str]]) -> None:
    world, url, keys = served
    with client(url, keys[DISPATCHER]) as c:
        r = c.get(f"/api/v1/plans/{world.runs['clean']}")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "AUDITED"
        assert len(r.json()["audits"]) == 7
        audits = c.get(f"/api/v1/plans/{world.runs['clean']}/audits").json()["audits"]
        assert {a["status"] for a in audits} == {"PASS"} and all("rows" in a for a in audits)
        weeks = c.get(f"/api/v1/plans/{world.runs['clean']}/schedules").json()["drivers"]
        assert len(weeks) == 2 and all(w["work_minutes"] >= 40 * 60 for w in weeks)
        kpis = c.get(f"/api/v1/plans/{world.runs['clean']}/kpis").json()["kpis"]
        assert kpis["drivers"] == 2
        log = c.get(f"/api/v1/plans/{world.runs['published']}/log").json()["records"]
        assert [rec["action"] for rec in log][-1] == "publish"
        assert c.get("/api/v1/log/verify").json()["ok"] is True


def test_scope_matrix_out_of_site_and_tenant_is_404(served: tuple[World, str, dict[str, str]]) -> None:
    world, url, keys = served
    with client(url, keys[GRAZ_USER]) as c:
        own = c.get(f"/api/v1/plans/{world.runs['graz']}")
        other_site = c.get(f"/api/v1/plans/{world.runs['clean']}")
        other_tenant = c.get(f"/api/v1/plans/{world.runs['rival']}")
        missing = c.get("/api/v1/plans/999999")
        forecast = c.get(f"/api/v1/forecasts/{world.forecasts['clean_a']}")
    assert own.status_code == 200
    assert other_site.status_code == other_tenant.status_code == missing.status_code == forecast.status_code == 404
    assert other_site.json()["error"].replace(str(world.runs["clean"]), "N") == missing.json()["error"].replace("999999", "N")


def test_role_and_gate_refusals_are_403_naming_the_condition(served: tuple[World, str, dict[str, str]]) -> None:
    world, url, keys = served
    with client(url, keys["vera"]) as c:  # a viewer
        r = c.post(f"/api/v1/plans/{world.runs['clean']}/publish", json={"reason": REASON})
        assert r.status_code == 403 and "role viewer may not publish" in r.json()["error"]
        assert c.post(f"/api/v1/forecasts/{world.forecasts['clean_a']}/solve").status_code == 403
    with client(url, keys[DISPATCHER]) as c:
        r = c.post(f"/api/v1/plans/{world.runs['clean']}/lock", json={"reason": LOCK_REASON})
        assert r.status_code == 403 and "plan is AUDITED; lock needs PUBLISHED" in r.json()["error"]
        r = c.post(f"/api/v1/plans/{world.runs['clean']}/publish")  # the runbook's bare POST: no reason given
        assert r.status_code == 403 and "reason must have at least 10" in r.json()["error"]


def test_invalid_bodies_are_422(served: tuple[World, str, dict[str, str]]) -> None:
    world, url, keys = served
    with client(url, keys[DISPATCHER]) as c:
        r = c.post(f"/api/v1/plans/{world.runs['clean']}/publish", json={"reason": 42})
        assert r.status_code == 422 and r.json()["trace_id"]
        r = c.post(f"/api/v1/forecasts/{world.forecasts['clean_a']}/solve", json={"time_limit": -1})
        assert r.status_code == 422
        r = c.get("/api/v1/plans/not-a-number")
        assert r.status_code == 422
        fail = c.post("/api/v1/forecasts", content=b"Mo 25:00-26:00 3 Fahrer\nXx nonsense\n", params={"name": "bad.txt"})
    assert fail.status_code == 422 and fail.json()["report"]["status"] == "FAIL"


def test_import_over_http_is_201_then_200_for_the_same_content(served: tuple[World, str, dict[str, str]]) -> None:
    _, url, keys = served
    body = balanced_week(1, shift=75).encode()
    with client(url, keys[DISPATCHER]) as c:
        first = c.post("/api/v1/forecasts", content=body, params={"anchor": "2026-02-02", "name": "w6.csv"},
                       headers={"Content-Type": "text/csv"})
        again = c.post("/api/v1/forecasts", content=body, params={"anchor": "2026-02-02", "name": "w6.csv"})
        assert first.status_code == 201, first.text
        assert again.status_code == 200 and again.json()["forecast"]["id"] == first.json()["forecast"]["id"]
        got = c.get(f"/api/v1/forecasts/{first.json()['forecast']['id']}").json()
        assert got["source_name"] == "w6.csv" and got["week_anchor"] == "2026-02-02"
        assert any(f["id"] == got["id"] for f in c.get("/api/v1/forecasts").json()["forecasts"])


def test_solve_in_the_background_polling_and_sse_then_publish_lock(served: tuple[World, str, dict[str, str]]) -> None:
    _, url, keys = served
    body = balanced_week(2, shift=90).encode()
    with client(url, keys[DISPATCHER]) as c:
        fid = c.post("/api/v1/forecasts", content=body, params={"anchor": "2026-02-09"}).json()["forecast"]["id"]
        job = c.post(f"/api/v1/forecasts/{fid}/solve", json={"time_limit": 5})
        assert job.status_code == 202, job.text
        busy = c.post(f"/api/v1/forecasts/{fid}/solve", json={"time_limit": 5})
        job_id = job.json()["id"]
        assert busy.status_code == 423 and job_id in busy.json()["error"]
        with c.stream("GET", f"/api/v1/solves/{job_id}/events") as events:
            text = "".join(events.iter_text())
        assert "event: state" in text and '"state": "AUDITED"' in text
        view = c.get(f"/api/v1/solves/{job_id}").json()
        assert view["state"] == "AUDITED" and view["finished"]
        run_id = view["run_id"]
        assert c.get(f"/api/v1/plans/{run_id}").json()["status"] == "AUDITED"
        assert c.get(f"/api/v1/plans/{run_id}").headers.get("X-Cache") == "hit"
        pub = c.post(f"/api/v1/plans/{run_id}/publish", json={"reason": REASON})
        assert pub.status_code == 200 and pub.json()["status"] == "PUBLISHED"
        lock = c.post(f"/api/v1/plans/{run_id}/lock", json={"reason": LOCK_REASON})
        assert lock.status_code == 200, lock.text
        assert lock.json()["status"] == "LOCKED" and lock.json()["locked_by"] == DISPATCHER and lock.json()["locked_at"]
        # the AUDITED answer above was cached; the lock invalidated it
        assert c.get(f"/api/v1/plans/{run_id}").json()["status"] == "LOCKED"
        again = c.post(f"/api/v1/plans/{run_id}/lock", json={"reason": LOCK_REASON})
        assert again.status_code == 409 and f"already LOCKED by {DISPATCHER}" in again.json()["error"]


def test_idempotency_key_replays_the_first_answer(served: tuple[World, str, dict[str, str]]) -> None:
    _, url, keys = served
    body = balanced_week(1, shift=105).encode()
    with client(url, keys[DISPATCHER]) as c:
        fid = c.post("/api/v1/forecasts", content=body, params={"anchor": "2026-02-16"}).json()["forecast"]["id"]
        headers = {"Idempotency-Key": f"solve-{fid}"}
        first = c.post(f"/api/v1/forecasts/{fid}/solve", json={"time_limit": 3}, headers=headers)
        second = c.post(f"/api/v1/forecasts/{fid}/solve", json={"time_limit": 3}, headers=headers)
        assert first.status_code == second.status_code == 202
        assert first.json()["id"] == second.json()["id"]  # one solve, not two
        other = c.post(f"/api/v1/forecasts/{fid}/solve", json={"time_limit": 4}, headers=headers)
        assert other.status_code == 422 and "Idempotency-Key" in other.json()["error"]
        deadline = time.monotonic() + 60
        while not c.get(f"/api/v1/solves/{first.json()['id']}").json()["finished"]:
            assert time.monotonic() < deadline
            time.sleep(0.2)


def test_a_new_key_over_http_is_admin_only(served: tuple[World, str, dict[str, str]]) -> None:
    _, url, keys = served
    with client(url, keys[DISPATCHER]) as c:
        assert c.post(f"/api/v1/users/{OPS_LEAD}/keys").status_code == 403
    with client(url, keys[ADMIN]) as c:
        r = c.post(f"/api/v1/users/{OPS_LEAD}/keys")
    assert r.status_code == 201
    with client(url, r.json()["key"]) as c:
        assert c.get("/api/v1/status").json()["role"] == "ops_lead"
    assert EXIT_BLOCKED == 2


def test_forecast_preview_reports_and_stores_nothing(served: tuple[World, str, dict[str, str]]) -> None:
    _, url, keys = served
    body = balanced_week(3, shift=60).encode()
    with client(url, keys[DISPATCHER]) as c:
        before = c.get("/api/v1/forecasts", params={"limit": 500}).json()["forecasts"]
        shown = c.post("/api/v1/forecasts/preview", content=body, params={"default_anchor": "2026-02-16"},
                       headers={"Content-Type": "text/csv"})
        assert shown.status_code == 200, shown.text
        assert shown.json()["report"]["status"] in ("PASS", "WARN") and shown.json()["forecast"] is None
        bad = c.post("/api/v1/forecasts/preview", content=b"Mo 25:00-26:00 3 Fahrer\nXx nonsense\n")
        assert bad.status_code == 200 and bad.json()["report"]["status"] == "FAIL"  # a preview: the report, not a refusal
        assert c.get("/api/v1/forecasts", params={"limit": 500}).json()["forecasts"] == before

