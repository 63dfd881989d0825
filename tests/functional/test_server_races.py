"""Two dispatchers against one server: concurrent locks of one plan, and the store the server owns."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import httpx
from live_server import client, free_port, live_server, mint_key
from ops_world import ADMIN, DISPATCHER, DISPATCHER2, LOCK_REASON, World, cli, solvereign_argv, subprocess_env
from testdata import FIXTURES

from app.ops.store_owner import marker_path


def test_two_clients_locking_one_plan_exactly_one_wins(fresh_world: World) -> None:
    keys = [mint_key(fresh_world.db, DISPATCHER), mint_key(fresh_world.db, DISPATCHER2)]
    plan = fresh_world.runs["published"]
    answers: list[httpx.Response] = []
    start = threading.Barrier(2)
    with live_server(fresh_world.db) as url:

        def lock(key: str) -> None:
            with client(url, key) as c:
                start.wait()
                answers.append(c.post(f"/api/v1/plans/{plan}/lock", json={"reason": LOCK_REASON}))

        threads = [threading.Thread(target=lock, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        with client(url, keys[0]) as c:
            log = c.get(f"/api/v1/plans/{plan}/log").json()["records"]
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 409], [r.text for r in answers]
    winner = next(r for r in answers if r.status_code == 200).json()["locked_by"]
    loser = next(r for r in answers if r.status_code == 409).json()
    assert f"already LOCKED by {winner}" in loser["error"] and loser["trace_id"]
    assert [rec["action"] for rec in log].count("lock") == 1


def test_solvereign_serve_owns_the_store_and_logs_trace_ids(fresh_world: World, tmp_path: Path) -> None:
    key = mint_key(fresh_world.db, DISPATCHER)
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            solvereign_argv(None, "--db", str(fresh_world.db), "serve", "--port", str(port)),
            stdout=log, stderr=subprocess.STDOUT, env=subprocess_env(),
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        owner = json.loads(marker_path(fresh_world.db).read_text())
        assert owner["pid"] == proc.pid and owner["url"] == url
        # a local writer is refused, naming the server; a read-only reader still works
        r = cli(fresh_world.db, "publish", str(fresh_world.runs["clean"]), "--reason", LOCK_REASON, login=DISPATCHER)
        assert r.code == 2 and f"served by {url} (PID {proc.pid}" in r.error_line
        assert cli(fresh_world.db, "--read-only", "list-runs", "--json", login=DISPATCHER).code == 0
        bad = httpx.get(f"{url}/api/v1/plans/999999", headers={"X-API-Key": key}, timeout=10)
        assert bad.status_code == 404
        trace = bad.json()["trace_id"]
    finally:
        proc.terminate()
        proc.wait(30)
    assert f"trace_id={trace} status=404" in log_path.read_text()
    assert not marker_path(fresh_world.db).exists()  # released on a clean stop
    assert cli(fresh_world.db, "publish", str(fresh_world.runs["clean"]), "--reason", LOCK_REASON, login=DISPATCHER).code == 0


def test_two_people_confirming_one_erasure_at_once_erase_it_once(fresh_world: World) -> None:
    """Two platform admins confirm a DPO's erasure request at the same moment: one carries it out, the other
    is refused (409 the request is already done, or 404 the driver is gone), never a second erasure or a 5xx."""
    db = fresh_world.db
    for login, role in (("dpo1", "dpo"), ("pam2", "platform_admin")):
        assert cli(db, "users", "add", login, "--role", role, "--tenant", "acme", "--sites", "wien", login=ADMIN).code == 0
    assert cli(db, "drivers", "import", str(FIXTURES / "roster_wien.csv"), "--site", "wien", login=ADMIN).code == 0
    reason = "Erasure requested by the driver"
    assert cli(db, "gdpr", "erase-driver", "DRV-1", "--site", "wien", "--reason", reason, login="dpo1").code == 0
    keys = [mint_key(db, ADMIN), mint_key(db, "pam2")]
    answers: list[httpx.Response] = []
    start = threading.Barrier(2)
    with live_server(db) as url:

        def confirm(key: str) -> None:
            with client(url, key) as c:
                start.wait()
                answers.append(c.post("/api/v1/drivers/DRV-1/erase", params={"site": "wien"}, json={"reason": reason}))

        threads = [threading.Thread(target=confirm, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        with client(url, keys[0]) as c:
            log = c.get("/api/v1/gdpr/erasures").json()["erasures"]
    done = [r for r in answers if r.status_code == 200]
    assert len(done) == 1 and done[0].json()["done"] is True, [r.text for r in answers]
    refused = next(r for r in answers if r.status_code != 200)
    assert refused.status_code in (404, 409) and refused.json()["trace_id"], refused.text
    assert [e["state"] for e in log] == ["DONE"]
