"""What a LOCKED plan proves: direct edits of the DuckDB file behind the program's back.

Each edit here passed `log --verify` (or kept `show-run` saying 7/7) before the keyed chain over
plan content, the heads file and the integrity check before every action.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from ops_world import ADMIN, DISPATCHER, LOCK_REASON, REASON, SITE, TENANT, World, cli, solve

from storage.approvals import record_hash
from storage.models import ApprovalRecord
from storage.trust import heads_path, key_path, keyed_hash, load_key


@contextmanager
def raw(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect(str(db))
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def locked(fresh_world: World) -> tuple[World, int]:
    """The world with its published plan locked."""
    w = fresh_world
    run = w.runs["published"]
    r = cli(w.db, "lock", str(run), "--reason", LOCK_REASON, login=DISPATCHER)
    assert r.code == 0 and "chain head acme/wien #" in r.out, r  # the head is printed on every lock
    return w, run


def verify(w: World) -> tuple[int, str]:
    r = cli(w.db, "log", "--verify", login=ADMIN)
    return r.code, r.out


def assert_caught(w: World, *words: str) -> None:
    code, out = verify(w)
    assert code == 1, out
    for word in words:
        assert word in out, out


def test_an_untouched_store_verifies_and_says_how_much_it_checked(locked):
    w, run = locked
    code, out = verify(w)
    assert code == 0, out
    assert "keyed hash chain verifies, head #" in out and "plan(s) checked" in out
    show = cli(w.db, "show-run", str(run), login=ADMIN)
    assert show.code == 0 and "audits 7/7 (re-audited from the stored rows)" in show.out


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("UPDATE plan_assignments SET driver_id = 'GHOST' WHERE plan_id = {run} AND instance_id = "
         "(SELECT min(instance_id) FROM plan_assignments WHERE plan_id = {run})", ("TAMPERED", "assignments changed")),
        ("UPDATE plan_instances SET start_min = start_min + 60, end_min = end_min + 60 WHERE plan_id = {run}",
         ("TAMPERED", "instances changed")),
        ("UPDATE plans SET output_hash = 'sha256:forged' WHERE id = {run}", ("TAMPERED", "output hash changed")),
        ("UPDATE plans SET state = 'AUDITED' WHERE id = {run}", ("TAMPERED", "state is AUDITED", "says LOCKED")),
    ],
    ids=["ghost-driver", "shifted-times", "output-hash", "state"],
)
def test_editing_a_locked_plans_rows_or_state_is_caught_and_refused(locked, sql: str, words: tuple[str, ...]):
    w, run = locked
    with raw(w.db) as conn:
        conn.execute(sql.format(run=run))
    assert_caught(w, f"plan {run} TAMPERED", *words)
    show = cli(w.db, "show-run", str(run), login=ADMIN)
    assert show.code == 1 and "INTEGRITY BROKEN" in show.out and "not verified" in show.out, show
    # an action that builds on the tampered plan is refused, the store unchanged
    action = ("publish", REASON) if "AUDITED" in sql else ("reject", "the roster is withdrawn")
    before = cli(w.db, "log", str(run), "--json", login=ADMIN).json
    r = cli(w.db, action[0], str(run), "--reason", action[1], login=ADMIN)
    assert r.code == 2, r
    if action[0] == "publish":  # the forged AUDITED state passes every gate but the chain's
        assert "changed outside the program" in r.error_line, r
    assert cli(w.db, "log", str(run), "--json", login=ADMIN).json == before


def test_a_newer_version_cannot_supersede_a_tampered_locked_plan(locked):
    w, run = locked
    with raw(w.db) as conn:
        conn.execute("UPDATE plan_assignments SET driver_id = 'GHOST' WHERE plan_id = ?", [run])
    newer = solve(w.db, w.forecasts["clean_b"], login=DISPATCHER)
    assert newer.code == 0, newer
    newer_id = str(newer.json["run_id"])
    assert cli(w.db, "publish", newer_id, "--reason", REASON, login=DISPATCHER).code == 0
    r = cli(w.db, "lock", newer_id, "--reason", LOCK_REASON, login=DISPATCHER)
    assert r.code == 2 and f"plan {run} was changed outside the program" in r.error_line, r
    assert cli(w.db, "show-run", newer_id, "--json", login=ADMIN).json["run"]["state"] == "PUBLISHED"


def test_a_rejected_plan_set_to_published_can_no_longer_be_locked(fresh_world: World):
    w = fresh_world
    run = w.runs["clean"]
    assert cli(w.db, "reject", str(run), "--reason", "forecast will be re-issued", login=DISPATCHER).code == 0
    with raw(w.db) as conn:
        conn.execute("UPDATE plans SET state = 'PUBLISHED' WHERE id = ?", [run])
    r = cli(w.db, "lock", str(run), "--reason", LOCK_REASON, login=DISPATCHER)
    assert r.code == 2 and "changed outside the program" in r.error_line, r
    assert_caught(w, f"plan {run} TAMPERED", "says REJECTED")
    other = w.runs["published"]  # the real published plan of another week is untouched and still lockable
    assert cli(w.db, "lock", str(other), "--reason", LOCK_REASON, login=DISPATCHER).code == 0


def test_editing_stored_audit_results_is_caught_by_show_run(locked):
    w, run = locked
    with raw(w.db) as conn:  # a FAIL turned into a PASS would look like this; here a PASS becomes a FAIL
        conn.execute("UPDATE plan_audits SET status = 'FAIL' WHERE plan_id = ? AND name = 'rest'", [run])
    show = cli(w.db, "show-run", str(run), "--json", login=ADMIN)
    assert show.code == 1 and show.json["integrity"]["ok"] is False
    assert "fresh audit" in show.json["integrity"]["problem"] and "rest" in show.json["integrity"]["problem"]


def _records(db: Path, site: str = "wien") -> list[ApprovalRecord]:
    from storage.approvals import _COLUMNS, row_to_record

    with raw(db) as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM approvals WHERE site_code = ? AND tenant_code = 'acme' ORDER BY seq",
                            [site]).fetchall()
    return [row_to_record(r) for r in rows]


def _rewrite(db: Path, first_seq: int, change: dict, *, key: bytes | None) -> None:
    """Edit record `first_seq` and rehash it and every later record (with the key, or plain SHA-256)."""
    from storage.approvals import _payload

    records = _records(db)
    prev = None
    with raw(db) as conn:
        for rec in records:
            if rec.seq < first_seq:
                prev = rec.hash
                continue
            data = rec.model_dump() | ({**change} if rec.seq == first_seq else {}) | {"prev_hash": prev}
            digest = keyed_hash(key, _payload(data)) if key else record_hash(data)
            conn.execute("UPDATE approvals SET reason = ?, prev_hash = ?, hash = ? WHERE tenant_code = 'acme' "
                         "AND site_code = 'wien' AND seq = ?", [data["reason"], prev, digest, rec.seq])
            prev = digest
        conn.execute("UPDATE approval_chains SET head_hash = ? WHERE tenant_code = 'acme' AND site_code = 'wien'", [prev])


def test_an_edited_reason_rehashed_without_the_key_is_caught(locked):
    w, _ = locked
    _rewrite(w.db, 3, {"reason": "nothing to see here"}, key=None)
    assert_caught(w, "BROKEN at record 3", "store key")


def test_an_edited_reason_rehashed_with_the_key_is_caught_by_the_heads_file(locked):
    w, _ = locked
    _rewrite(w.db, 3, {"reason": "nothing to see here"}, key=load_key(str(w.db.resolve()), create=False))
    assert_caught(w, "BROKEN", "history rewritten")


def test_deleting_the_newest_record_and_moving_the_head_back_is_caught(locked):
    w, _ = locked
    records = _records(w.db)
    last, before = records[-1], records[-2]
    with raw(w.db) as conn:
        conn.execute("DELETE FROM approvals WHERE tenant_code = 'acme' AND site_code = 'wien' AND seq = ?", [last.seq])
        conn.execute("UPDATE approval_chains SET head_seq = ?, head_hash = ? WHERE tenant_code = 'acme' AND site_code = 'wien'",
                     [before.seq, before.hash])
    assert_caught(w, "records removed", f"remembers #{last.seq}")


def test_deleting_every_record_is_caught(locked):
    w, _ = locked
    with raw(w.db) as conn:
        conn.execute("DELETE FROM approvals WHERE tenant_code = 'acme' AND site_code = 'wien'")
        conn.execute("DELETE FROM approval_chains WHERE tenant_code = 'acme' AND site_code = 'wien'")
    assert_caught(w, "every record is gone")


def test_deleting_every_record_and_the_heads_file_is_caught(locked):
    w, _ = locked
    with raw(w.db) as conn:
        conn.execute("DELETE FROM approvals")
        conn.execute("DELETE FROM approval_chains")
    heads_path(str(w.db.resolve())).unlink()
    assert_caught(w, "is missing although the store key exists")


def test_a_missing_key_is_reported_and_nothing_new_is_recorded(locked):
    w, _ = locked
    key_path(str(w.db.resolve())).unlink()
    assert_caught(w, "store key")
    r = cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=DISPATCHER)
    assert r.code != 0 and "store key" in r.error_line, r


def test_store_key_and_heads_file_are_created_private(fresh_world: World, tmp_path: Path):
    """Whoever can write these files can change the store (README, threat model): they are created 0600."""
    from storage import Actor, NewPlan, Scope, Store

    db = tmp_path / "new" / "store.duckdb"
    assert cli(db, "init", "--tenant", TENANT, "--site", SITE, login=ADMIN).code == 0
    assert cli(db, "import", str(fresh_world.files["fresh"]), "--anchor", "2026-01-19", login=ADMIN).code == 0
    store = Store(db)
    scope = Scope.of(TENANT, SITE)
    store.plans.create(scope, NewPlan(forecast_id=store.forecasts.list_forecasts(scope)[0].id), Actor(name=ADMIN, role="platform_admin"))
    for path in (db, key_path(str(db)), heads_path(str(db))):
        assert path.stat().st_mode & 0o777 == 0o600, path
