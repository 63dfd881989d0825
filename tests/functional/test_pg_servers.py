"""Two real `solvereign serve` processes on one PostgreSQL store, clients on both: no lost update, no
double lock, one valid chain (the world is the DuckDB test world, copied with `store copy`)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from live_server import client, free_port, mint_key, wait_healthy
from ops_world import ADMIN, DISPATCHER, DISPATCHER2, LOCK_REASON, NOW_OPEN, World, solvereign_argv, subprocess_env

from storage import Scope, Store
from storage.copy import copy_store


@contextmanager
def server(url: str, log: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = subprocess_env()
    env["SOLVEREIGN_TRUST_DIR"] = str(log.parent / "trust")
    with log.open("w") as out:
        proc = subprocess.Popen(solvereign_argv(None, "--db", url, "--now", NOW_OPEN, "serve", "--port", str(port),
                                                "--jobs-every", "0", *args), stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log.read_text)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(30)


def test_two_servers_share_one_database_without_lost_updates_or_double_locks(
    fresh_world: World, pg_url: str, tmp_path: Path,
) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    keys = {login: mint_key(pg_url, login) for login in (DISPATCHER, DISPATCHER2, ADMIN)}
    plan = fresh_world.runs["published"]
    with server(pg_url, tmp_path / "a.log") as (a, _), server(pg_url, tmp_path / "b.log") as (b, _):
        assert httpx.get(f"{a}/health").json()["store"] == pg_url and httpx.get(f"{b}/health").status_code == 200
        start = threading.Barrier(8)
        locks: list[httpx.Response] = []
        minted: list[httpx.Response] = []

        def worker(n: int) -> None:
            base, login = (a, b)[n % 2], (DISPATCHER, DISPATCHER2)[n // 2 % 2]
            with client(base, keys[login]) as c, client(base, keys[ADMIN]) as admin:
                start.wait()
                locks.append(c.post(f"/api/v1/plans/{plan}/lock", json={"reason": LOCK_REASON}))
                for _ in range(3):  # concurrent inserts through both servers: none may be lost
                    minted.append(admin.post(f"/api/v1/users/{login}/keys"))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        codes = sorted(r.status_code for r in locks)
        assert codes == [200] + [409] * 7, [r.text for r in locks if r.status_code != 409]
        assert [r.status_code for r in minted] == [201] * 24, [r.text for r in minted if r.status_code != 201]
        for base in (a, b):  # both servers see the same, current store at once
            with client(base, keys[DISPATCHER]) as c:
                log = c.get(f"/api/v1/plans/{plan}/log").json()["records"]
                assert [rec["action"] for rec in log].count("lock") == 1
                assert c.get(f"/api/v1/plans/{plan}").json()["status"] == "LOCKED"
                assert c.get("/api/v1/log/verify").json()["ok"] is True
    store = Store(pg_url)
    with store._db.session(write=False, system=True) as tx:
        assert tx.scalar("SELECT count(*) FROM api_keys") == 3 + 24
        version = tx.scalar("SELECT state_version FROM plans WHERE id = ?", [plan])
    assert len(store.approvals.for_plan(Scope.of("acme", "wien"), plan)) == version
