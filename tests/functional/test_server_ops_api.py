"""Repair, evidence, drills, admin and the driver roster over HTTP on a real loopback server."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from live_server import client, live_server, mint_key
from ops_world import ADMIN, DISPATCHER, GRAZ_USER, World

REPAIR_REASON = "Sick call from the depot"


@pytest.fixture
def served(fresh_world: World) -> Iterator[tuple[World, str, dict[str, str]]]:
    keys = {login: mint_key(fresh_world.db, login) for login in (ADMIN, DISPATCHER, GRAZ_USER, "vera")}
    with live_server(fresh_world.db) as url:
        yield fresh_world, url, keys


def busiest(c: object, run: int) -> str:
    weeks = c.get(f"/api/v1/plans/{run}/schedules").json()["drivers"]  # type: ignore[attr-defined]
    return str(max(weeks, key=lambda w: len(w.get("blocks", w.get("days", []))))["driver_id"])


def test_repair_preview_apply_and_undo(served: tuple[World, str, dict[str, str]]) -> None:
    world, url, keys = served
    run = world.runs["clean"]
    with client(url, keys[DISPATCHER]) as c:
        driver = busiest(c, run)
        runs_before = c.get("/api/v1/plans", params={"limit": 500}).json()["plans"]
        body = {"absent": [driver], "reason": REPAIR_REASON, "preview": True, "time_limit": 3}
        preview = c.post(f"/api/v1/plans/{run}/repair", json=body)
        assert preview.status_code == 200, preview.text
        assert preview.json()["run"] is None and preview.json()["preview"]["absent"] == [driver]
        assert c.get("/api/v1/plans", params={"limit": 500}).json()["plans"] == runs_before  # nothing stored
        applied = c.post(f"/api/v1/plans/{run}/repair", json=body | {"preview": False})
        assert applied.status_code == 201, applied.text
        new = applied.json()["run"]
        assert new["parent_plan_id"] == run and new["state"] == "AUDITED" and new["kind"] == "repair"
        assert driver not in {a for a in applied.json()["preview"]["result"]["assignments"].values()}
        undone = c.post(f"/api/v1/plans/{new['id']}/undo", json={})
        assert undone.status_code == 200 and undone.json()["run"]["state"] == "REJECTED"
        again = c.post(f"/api/v1/plans/{new['id']}/undo", json={})
        assert again.status_code == 403 and "undo needs AUDITED" in again.json()["error"]
        assert c.post(f"/api/v1/plans/{run}/repair", json={"absent": [], "reason": REPAIR_REASON}).status_code == 422
        assert c.post(f"/api/v1/plans/{run}/repair", json={"absent": ["nobody-here"], "reason": REPAIR_REASON}).status_code == 422
        assert c.post("/api/v1/plans/999999/repair", json=body).status_code == 404
    with client(url, keys["vera"]) as c:
        refused = c.post(f"/api/v1/plans/{run}/repair", json=body)
        assert refused.status_code == 403 and "role" in refused.json()["error"]
    with client(url, keys[GRAZ_USER]) as c:
        assert c.post(f"/api/v1/plans/{run}/repair", json=body).status_code == 404  # out of scope


def test_evidence_download_record_and_verify(served: tuple[World, str, dict[str, str]]) -> None:
    world, url, keys = served
    run = world.runs["published"]
    with client(url, keys[DISPATCHER]) as c:
        pack = c.get(f"/api/v1/plans/{run}/evidence")
        assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
        ok = c.post("/api/v1/evidence/verify", content=pack.content, params={"with_store": True},
                    headers={"Content-Type": "application/zip"}).json()
        assert ok["ok"] and ok["plan_id"] == run and ok["failure"] is None
        assert any("keyed hash holds" in line for line in ok["passed"])
        tampered = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(pack.content)) as src, zipfile.ZipFile(tampered, "w") as dst:
            for item in src.infolist():
                data = src.read(item)
                dst.writestr(item, data.replace(b"PUBLISHED", b"LOCKED") if item.filename.endswith(".json") else data)
        bad = c.post("/api/v1/evidence/verify", content=tampered.getvalue()).json()
        assert bad["ok"] is False and bad["failure"]
        garbage = c.post("/api/v1/evidence/verify", content=b"not a zip").json()
        assert garbage["ok"] is False
        recorded = c.post(f"/api/v1/plans/{run}/evidence")
        assert recorded.status_code == 201 and recorded.json()["sha256"].startswith("sha256:")
        assert c.get("/api/v1/plans/999999/evidence").status_code == 404
    with client(url, keys[GRAZ_USER]) as c:
        assert c.get(f"/api/v1/plans/{run}/evidence").status_code == 404


def test_drills_run_and_list(served: tuple[World, str, dict[str, str]]) -> None:
    world, url, keys = served
    with client(url, keys[DISPATCHER]) as c:
        assert c.get("/api/v1/drills").json() == {"drills": []}
        report = c.post("/api/v1/drills/break-glass", json={"run": world.runs["clean"], "time_limit": 3})
        assert report.status_code == 200, report.text
        assert report.json()["verdict"] in ("PASS", "WARN", "FAIL") and report.json()["checks"]
        listed = c.get("/api/v1/drills").json()["drills"]
        assert [d["drill"] for d in listed] == ["break-glass"]
        assert c.post("/api/v1/drills/no-such-drill", json={}).status_code == 422
    with client(url, keys["vera"]) as c:
        assert c.post("/api/v1/drills/sick-call", json={}).status_code == 403


def test_admin_users_sites_kill_switch_and_drivers(served: tuple[World, str, dict[str, str]]) -> None:
    _, url, keys = served
    with client(url, keys[DISPATCHER]) as c:
        assert DISPATCHER in {u["login"] for u in c.get("/api/v1/users").json()["users"]}
        refused = c.put("/api/v1/users/newbie", json={"role": "viewer", "tenant": "acme", "sites": ["wien"]})
        assert refused.status_code == 403
        assert c.post("/api/v1/kill-switch", json={"on": True, "reason": "Emergency stop now"}).status_code == 403
        assert c.get("/api/v1/drivers").json() == {"drivers": []}
        assert c.get("/api/v1/drivers/nobody").status_code == 404
    with client(url, keys[ADMIN]) as c:
        added = c.put("/api/v1/users/newbie", json={"role": "viewer", "tenant": "acme", "sites": ["wien"]})
        assert added.status_code == 200 and added.json()["role"] == "viewer"
        promoted = c.put("/api/v1/users/newbie", json={"role": "dispatcher", "tenant": "acme", "sites": ["wien"]})
        assert promoted.json()["role"] == "dispatcher"
        assert c.put("/api/v1/users/newbie", json={"role": "czar", "tenant": "acme", "sites": ["wien"]}).status_code == 422
        assert c.delete("/api/v1/users/newbie").json()["active"] is False
        assert c.delete("/api/v1/users/ghost").status_code == 404
        gate = c.post("/api/v1/sites/graz/disable", json={"reason": "depot closed for works"})
        assert gate.status_code == 200 and gate.json()["enabled"] is False
        assert {s["code"]: s["enabled"] for s in c.get("/api/v1/sites").json()["sites"]}["graz"] is False
        ks = c.post("/api/v1/kill-switch", json={"on": True, "reason": "Emergency stop now"})
        assert ks.status_code == 200 and ks.json()["on"] is True
        assert c.post("/api/v1/kill-switch", json={"on": False, "reason": "x"}).status_code == 403  # reason gate
        tenant = c.post("/api/v1/tenants", json={"tenant": "newco", "site": "linz", "admin": "nina"})
        assert tenant.status_code == 201 and tenant.json()["tenant"] == "newco"
        assert c.post("/api/v1/tenants", json={"tenant": "newco", "site": "linz", "admin": "nico"}).status_code == 403


def test_edit_pin_freeze_notify_gdpr_handoff_and_baseline_status_codes(served: tuple[World, str, dict[str, str]]) -> None:
    """The routes behind the remaining CLI commands: 401 no key, 403 role or gate, 404 out of scope,
    422 a bad body — each error body with its trace_id."""
    w, url, keys = served
    run = w.runs["clean"]
    why = "hand edit asked by the depot"
    with client(url, None) as c:
        assert c.get(f"/api/v1/plans/{run}/freeze").status_code == 401
    with client(url, keys[DISPATCHER]) as c:
        weeks = c.get(f"/api/v1/plans/{run}/schedules").json()["drivers"]
        instance = next(iter(weeks[0]["blocks"].values()))["instances"][0]
        frozen = c.get(f"/api/v1/plans/{run}/freeze").json()
        assert frozen["freeze"]["horizon_min"] == 720 and frozen["shape"]["instances"] > 0
        assert c.get("/api/v1/freeze-horizon", params={"site": "wien"}).json() == {"site": "wien", "horizon_min": 720}
        assert c.put("/api/v1/freeze-horizon", params={"site": "wien"}, json={"minutes": 60, "reason": why}).status_code == 403
        pinned = c.post(f"/api/v1/plans/{run}/pins/{instance}", json={"reason": "keep this tour fixed"})
        assert pinned.status_code == 200 and pinned.json()["pin"]["instance_id"] == instance
        blocked = c.post(f"/api/v1/plans/{run}/edit", json={"changes_of": "move", "instance": instance, "to_driver": "S-NEW",
                                                           "reason": why})
        assert blocked.status_code == 403 and "pinned" in blocked.json()["error"] and blocked.json()["trace_id"]
        assert c.post(f"/api/v1/plans/{run}/pins/{instance}", json={"pinned": False}).json()["pin"] is None
        preview = c.post(f"/api/v1/plans/{run}/edit", json={"changes_of": "move", "instance": instance, "to_driver": "S-NEW",
                                                           "reason": why, "preview": True})
        assert preview.status_code == 200 and preview.json()["run"] is None
        assert c.post(f"/api/v1/plans/{run}/edit", json={"changes_of": "jump", "reason": why}).status_code == 422
        assert c.post("/api/v1/plans/999999/edit", json={"changes_of": "move", "instance": instance, "to_driver": "X",
                                                         "reason": why}).status_code == 404
        assert c.get("/api/v1/plans/999999/notify").status_code == 404
        assert c.get(f"/api/v1/plans/{run}/notify").json() == {"messages": []}
        assert c.post(f"/api/v1/plans/{run}/notify").status_code == 403  # AUDITED, not LOCKED
        assert c.post("/api/v1/notify/due").json() == {"reports": []}
        assert c.post("/api/v1/handoff", json={"kind": "month"}).status_code == 422
        handoff = c.post("/api/v1/handoff", json={"kind": "week"})
        assert handoff.status_code == 200 and handoff.json()["kind"] == "week"
        assert c.post(f"/api/v1/forecasts/{w.forecasts['clean_a']}/baseline-solve",
                      json={"baseline": run, "time_limit": 0}).status_code == 422
        assert c.post("/api/v1/drivers/DRV-1/erase", params={"site": "wien"}, json={"reason": why}).status_code == 403
        assert c.get("/api/v1/gdpr/erasures").json() == {"erasures": []}
    with client(url, keys[GRAZ_USER]) as c:
        assert c.get(f"/api/v1/plans/{run}/freeze").status_code == 404
        assert c.post(f"/api/v1/plans/{run}/pins/{instance}", json={"reason": "keep this tour fixed"}).status_code == 404
    with client(url, keys["vera"]) as c:
        assert c.post("/api/v1/handoff").status_code == 403
        refused = c.post(f"/api/v1/plans/{run}/edit", json={"changes_of": "move", "instance": instance, "to_driver": "X",
                                                           "reason": why})
        assert refused.status_code == 403 and "viewer" in refused.json()["error"]
