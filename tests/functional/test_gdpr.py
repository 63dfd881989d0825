"""GDPR erasure of a driver: two distinct people (dpo and platform_admin), then no trace of the
driver's name or id in the store or in new evidence packs, with the plan's audits and the chain intact."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import duckdb
from ops_world import ADMIN, DISPATCHER, SITE, TENANT, World, cli, solve
from testdata import FIXTURES

from engine.evidence import verify_pack

REASON = "the driver asked for erasure (ticket 881)"


def _store_text(db: Path) -> str:
    """Every row of every table, as text (what an inspector of the file would see through SQL)."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()]
        return "\n".join(repr(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
    finally:
        conn.close()


def _queue_message(db: Path, run_id: int, driver: str) -> None:
    """A notification for the driver waiting in the outbox (with its address)."""
    from storage import Scope, Store
    from storage.outbox import OutboxMessage, message_key

    store = Store(db)
    store.outbox.enqueue(Scope.of(TENANT, SITE), [OutboxMessage(
        key=message_key(TENANT, SITE, run_id, driver, "email"), tenant=TENANT, site=SITE, plan_id=run_id,
        driver_id=driver, channel="email", address="someone@example.at", subject="Your week", body="Mo 06:00", ics=b"")])


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "\n".join(zf.read(n).decode("utf-8", errors="replace") for n in zf.namelist())


def test_two_people_erase_a_driver_everywhere_and_the_plan_still_verifies(fresh_world: World) -> None:
    db = fresh_world.db
    for login in ("dpo1", "dpo2"):
        assert cli(db, "users", "add", login, "--role", "dpo", "--tenant", TENANT, "--sites", SITE, login=ADMIN).code == 0
    assert cli(db, "drivers", "import", str(FIXTURES / "roster_wien.csv"), "--site", SITE, login=ADMIN).code == 0
    solved = solve(db, fresh_world.forecasts["clean_a"], login=DISPATCHER)
    assert solved.code == 0, solved
    run_id = solved.json["run_id"]
    weeks = cli(db, "show-run", str(run_id), "--json", "--drivers", login=DISPATCHER).json["drivers"]
    names = {"DRV-1": "Anna Berger", "DRV-2": "Bernd Huber", "DRV-3": "Cem Yilmaz", "DRV-4": "Dana Novak"}
    driver = next(w["driver_id"] for w in weeks if w["driver_id"] in names)
    name = names[driver]
    old_pack = Path(cli(db, "evidence", str(run_id), "--json", login=DISPATCHER).json["path"])
    assert driver in _zip_text(old_pack.read_bytes())

    _queue_message(db, run_id, driver)

    first = cli(db, "gdpr", "erase-driver", driver, "--site", SITE, "--reason", REASON, login="dpo1")
    assert first.code == 0 and "requested" in first.out, first
    again = cli(db, "gdpr", "erase-driver", driver, "--site", SITE, "--reason", REASON, login="dpo1")
    assert again.code == 2 and "requested by you" in again.error_line
    same_role = cli(db, "gdpr", "erase-driver", driver, "--site", SITE, "--reason", REASON, login="dpo2")
    assert same_role.code == 2 and "needs a platform_admin" in same_role.error_line
    assert name in _store_text(db)  # nothing erased before the second person
    done = cli(db, "gdpr", "erase-driver", driver, "--site", SITE, "--reason", REASON, "--json", login=ADMIN)
    assert done.code == 0 and done.json["done"] is True, done
    alias = done.json["request"]["pseudonym"]
    assert alias.startswith("ERASED-") and run_id in done.json["request"]["plans_changed"]

    text = _store_text(db)
    assert name not in text and driver not in text and "someone@example.at" not in text  # roster, outbox, plans
    assert alias in text
    assert not old_pack.exists()  # a pack holding the old id is gone
    shown = cli(db, "show-run", str(run_id), "--json", "--drivers", login=DISPATCHER)
    assert shown.code == 0 and shown.json["integrity"]["ok"], shown
    assert shown.json["run"]["audits_passed"] == 7
    assert alias in {w["driver_id"] for w in shown.json["drivers"]}
    assert cli(db, "log", "--verify", login=ADMIN).code == 0
    new_pack = Path(cli(db, "evidence", str(run_id), "--json", login=DISPATCHER).json["path"])
    data = new_pack.read_bytes()
    assert verify_pack(data).ok
    assert name not in _zip_text(data) and driver not in _zip_text(data) and alias in _zip_text(data)
    log = cli(db, "gdpr", "log", "--json", login="dpo2").json["erasures"]
    assert [e["state"] for e in log] == ["DONE"] and driver not in repr(log) and name not in repr(log)


def test_erasing_an_unknown_driver_or_with_a_wrong_role_changes_nothing(fresh_world: World) -> None:
    db = fresh_world.db
    before = _store_text(db)
    r = cli(db, "gdpr", "erase-driver", "NOBODY", "--site", SITE, "--reason", REASON, login=ADMIN)
    assert r.code == 1 and "not found" in r.error_line
    r = cli(db, "gdpr", "erase-driver", "DRV-1", "--site", SITE, "--reason", REASON, login=DISPATCHER)
    assert r.code == 2 and "role dispatcher" in r.error_line
    r = cli(db, "gdpr", "erase-driver", "DRV-1", "--site", SITE, "--reason", "short", login=ADMIN)
    assert r.code == 2 and "reason" in r.error_line
    assert _store_text(db) == before


def _file_bytes(db: Path) -> bytes:
    """The store file's bytes after a checkpoint (and its WAL's, if any): what a disk image would hold."""
    conn = duckdb.connect(str(db))
    try:
        conn.execute("CHECKPOINT")
    finally:
        conn.close()
    wal = Path(f"{db}.wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_erasure_redacts_the_stored_forecast_input_and_leaves_no_byte_of_the_name(fresh_world: World, tmp_path: Path) -> None:
    db = fresh_world.db
    assert cli(db, "users", "add", "dpo1", "--role", "dpo", "--tenant", TENANT, "--sites", SITE, login=ADMIN).code == 0
    assert cli(db, "drivers", "import", str(FIXTURES / "roster_wien.csv"), "--site", SITE, login=ADMIN).code == 0
    doc = json.loads((FIXTURES / "valid_contract.json").read_text())
    roster = json.loads((FIXTURES / "roster_wien.json").read_text())["drivers"]
    doc.update(tenant_code=TENANT, site_code=SITE, week_anchor_date="2026-02-02", drivers=roster)
    path = tmp_path / "named.json"
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False))
    imported = cli(db, "import", str(path), "--json", login=DISPATCHER)
    assert imported.code == 0, imported
    forecast_id = imported.json["forecast_id"]
    solved = solve(db, forecast_id, login=DISPATCHER)
    assert solved.code == 0, solved
    run_id = solved.json["run_id"]
    name, mail = b"Anna Berger", b"anna.berger@example.at"
    old_pack = Path(cli(db, "evidence", str(run_id), "--json", login=DISPATCHER).json["path"]).read_bytes()
    assert name in old_pack and name in _file_bytes(db) and mail in _file_bytes(db)  # the input holds them, on disk too
    _queue_message(db, run_id, "DRV-1")

    assert cli(db, "gdpr", "erase-driver", "DRV-1", "--site", SITE, "--reason", REASON, login="dpo1").code == 0
    done = cli(db, "gdpr", "erase-driver", "DRV-1", "--site", SITE, "--reason", REASON, "--json", login=ADMIN)
    assert done.code == 0 and done.json["done"], done
    request = done.json["request"]
    assert request["forecasts_redacted"] == [forecast_id]

    on_disk = _file_bytes(db)
    assert name not in on_disk and mail not in on_disk and b"someone@example.at" not in on_disk
    assert name.decode() not in _store_text(db)
    assert request["pseudonym"].encode() in on_disk

    assert verify_pack(old_pack).ok  # a pack exported before still verifies against the hash recorded then
    new = cli(db, "evidence", str(run_id), "--json", login=DISPATCHER)
    assert new.code == 0, new
    data = Path(new.json["path"]).read_bytes()
    report = verify_pack(data)
    assert report.ok, report.failure
    assert name.decode() not in _zip_text(data) and mail.decode() not in _zip_text(data)
    with zipfile.ZipFile(io.BytesIO(old_pack)) as zf:
        recorded = json.loads(zf.read("manifest.json"))["input_hash"]
    assert report.manifest["input_hash"] == recorded  # the original's hash stays the recorded one
    assert report.manifest["input_redacted"]["by_erasures"] == [request["id"]]
    assert any("redacted by erasure #" in line for line in report.passed)
    verify = cli(db, "evidence", "verify", new.json["path"], login=DISPATCHER)
    assert verify.code == 0, verify

    shown = cli(db, "show-run", str(run_id), "--json", login=DISPATCHER)
    assert shown.code == 0 and shown.json["integrity"]["ok"] and shown.json["run"]["audits_passed"] == 7, shown
    assert cli(db, "log", "--verify", login=ADMIN).code == 0
    status = cli(db, "notify", "status", str(run_id), "--json", login=DISPATCHER).json["messages"]
    assert [(m["driver_id"], m["address"]) for m in status] == [(request["pseudonym"], None)]
