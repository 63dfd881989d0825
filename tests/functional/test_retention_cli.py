"""`solvereign retention purge [--dry-run]` on the world's store: the dry run lists exactly what the
purge removes, a LOCKED plan inside its period stays (with its pack), the chain verifies after."""

from __future__ import annotations

from pathlib import Path

from ops_world import ADMIN, DISPATCHER, LOCK_REASON, World, cli

DAY_100 = "2026-04-11T12:00"  # 100 days after the world was built (NOW_OPEN)
DAY_400 = "2027-02-05T12:00"


def test_dry_run_equals_purge_locked_plan_kept_inside_its_period_chain_verifies(fresh_world: World) -> None:
    db, locked = fresh_world.db, fresh_world.runs["published"]
    assert cli(db, "lock", str(locked), "--reason", LOCK_REASON, login=DISPATCHER).code == 0
    pack = Path(cli(db, "show-run", str(locked), "--json", login=ADMIN).json["evidence"][0]["path"])
    assert pack.is_file()

    dry = cli(db, "retention", "purge", "--dry-run", "--json", login=ADMIN, now=DAY_100)
    assert dry.code == 0, dry
    before = cli(db, "list-runs", "--json", "--limit", "500", login=ADMIN, now=DAY_100).json
    assert cli(db, "list-runs", "--json", "--limit", "500", login=ADMIN, now=DAY_100).json == before  # nothing changed
    done = cli(db, "retention", "purge", "--json", login=ADMIN, now=DAY_100)
    assert done.code == 0, done
    assert {**dry.json, "dry_run": False} == done.json
    assert locked in done.json["kept_locked"] and locked not in done.json["plans"]
    assert fresh_world.runs["clean"] in done.json["plans"] and done.json["packs"] == []
    left = {r["id"] for r in cli(db, "list-runs", "--json", "--limit", "500", login=ADMIN, now=DAY_100).json["runs"]}
    assert locked in left and not left & set(done.json["plans"])
    assert pack.is_file()
    assert cli(db, "log", "--verify", login=ADMIN, now=DAY_100).code == 0

    late_dry = cli(db, "retention", "purge", "--dry-run", "--json", login=ADMIN, now=DAY_400).json
    late = cli(db, "retention", "purge", "--json", login=ADMIN, now=DAY_400)
    assert late.code == 0 and {**late_dry, "dry_run": False} == late.json
    assert locked in late.json["plans"] and late.json["packs"] == [str(pack)] and late.json["tombstoned"]
    assert not pack.exists()
    verify = cli(db, "log", "--verify", login=ADMIN, now=DAY_400)
    assert verify.code == 0, verify


def test_the_tenant_policy_is_configurable_and_purging_is_for_platform_admins(fresh_world: World) -> None:
    db = fresh_world.db
    r = cli(db, "retention", "purge", "--dry-run", login=DISPATCHER)
    assert r.code == 2 and "may not purge" in r.error_line
    r = cli(db, "retention", "set", "--data-days", "0", "--log-days", "30", "--reason", "shorter in the pilot", login=ADMIN)
    assert r.code == 1 and "--data-days 0" in r.error_line
    assert cli(db, "retention", "set", "--data-days", "10", "--log-days", "30", "--reason", "shorter in the pilot",
               login=ADMIN).code == 0
    assert cli(db, "retention", "policy", "--json", login=ADMIN).json == {"data_days": 10, "log_days": 30}
    r = cli(db, "retention", "purge", "--dry-run", "--json", login=ADMIN, now="2026-01-15T12:00")  # 14 days on
    assert r.code == 0 and fresh_world.runs["clean"] in r.json["plans"]
