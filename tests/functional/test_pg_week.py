"""The week on a PostgreSQL store through the command line (`--db postgresql://…`): roster, solve,
publish, lock, evidence pack, a two-person GDPR erasure, retention dry run, and a chain that verifies."""

from __future__ import annotations

from pathlib import Path

from ops_world import ADMIN, DISPATCHER, LOCK_REASON, REASON, SITE, TENANT, World, cli, solve
from testdata import FIXTURES

from engine.evidence import verify_pack
from storage import Store
from storage.copy import copy_store


def test_the_week_on_postgresql(fresh_world: World, pg_url: str) -> None:
    assert copy_store(Store(fresh_world.db, read_only=True), Store(pg_url)).ok
    db = pg_url
    status = cli(db, "status", login=DISPATCHER)
    assert status.code == 0 and f"store {pg_url}" in status.out, status
    assert cli(db, "drivers", "import", str(FIXTURES / "roster_wien.csv"), "--site", SITE, login=ADMIN).code == 0
    solved = solve(db, fresh_world.forecasts["clean_a"], login=DISPATCHER)
    assert solved.code == 0, solved
    run_id = solved.json["run_id"]
    for step, reason in (("publish", REASON), ("lock", LOCK_REASON)):
        r = cli(db, step, str(run_id), "--reason", reason, login=DISPATCHER)
        assert r.code == 0, r
    again = cli(db, "publish", str(run_id), "--reason", REASON, login=DISPATCHER)
    assert again.code == 2 and "LOCKED" in again.error_line, again
    pack = Path(cli(db, "evidence", str(run_id), "--json", login=DISPATCHER).json["path"])
    assert verify_pack(pack.read_bytes()).ok

    weeks = cli(db, "show-run", str(run_id), "--json", "--drivers", login=DISPATCHER).json["drivers"]
    driver = next(w["driver_id"] for w in weeks if w["driver_id"].startswith("DRV-"))
    assert cli(db, "users", "add", "dpo1", "--role", "dpo", "--tenant", TENANT, "--sites", SITE, login=ADMIN).code == 0
    assert cli(db, "gdpr", "erase-driver", driver, "--site", SITE, "--reason", REASON, login="dpo1").code == 0
    done = cli(db, "gdpr", "erase-driver", driver, "--site", SITE, "--reason", REASON, "--json", login=ADMIN)
    assert done.code == 0 and done.json["done"] is True, done
    assert run_id in done.json["request"]["locked_plans_kept"]  # the locked plan keeps its rows
    shown = cli(db, "show-run", str(run_id), "--json", "--drivers", login=DISPATCHER)
    assert shown.json["run"]["state"] == "LOCKED" and shown.json["integrity"]["ok"]

    dry = cli(db, "retention", "purge", "--dry-run", "--json", login=ADMIN)
    assert dry.code == 0 and dry.json["dry_run"] is True, dry
    verify = cli(db, "log", "--verify", "--json", login=ADMIN)
    assert verify.code == 0 and verify.json["ok"] is True, verify
