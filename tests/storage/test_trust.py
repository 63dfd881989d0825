"""The keyed chain's footing: the key file, the heads file, and a store written before both (schema v1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from helpers import ALICE, WEEK, add_forecast, build_in_tx, plan_in_state

from storage import Scope, State, Store
from storage.approvals import GENESIS_HASH, record_hash
from storage.schema import _VERSION_TABLE, CURRENT_VERSION, MIGRATIONS
from storage.trust import HMAC_PREFIX, anchored_heads, heads_path, key_path


def test_the_first_record_creates_a_private_key_and_every_head_lands_in_the_heads_file(store: Store, scope: Scope) -> None:
    assert not key_path(store.path).exists()
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.AUDITED)
    assert key_path(store.path).stat().st_mode & 0o777 == 0o600
    if store.backend == "duckdb":  # the store file itself (a PostgreSQL store has only its key and heads here)
        assert Path(store.path).stat().st_mode & 0o777 == 0o600
    heads, problems = anchored_heads(store.path)
    newest = store.approvals.for_plan(scope, plan.id)[-1]
    assert problems == [] and heads[("acme", "wien")] == (newest.seq, newest.hash)
    assert newest.hash.startswith(HMAC_PREFIX)
    lines = [json.loads(line) for line in heads_path(store.path).read_text().splitlines()]
    assert lines[0] == {"tenant": "acme", "site": "wien", "seq": 0, "hash": GENESIS_HASH}  # the chain's opening line
    assert [line["seq"] for line in lines[1:]] == list(range(1, newest.seq + 1))  # then one line per head, appended


def test_a_damaged_heads_file_or_key_is_reported(store: Store, scope: Scope) -> None:
    plan_in_state(store, scope, add_forecast(store, scope), State.SOLVED)
    with heads_path(store.path).open("a") as fh:
        fh.write("{not json\n")
    report = store.approvals.verify(scope)
    assert not report.ok and "unreadable" in report.sites[0].first_broken.problem
    key_path(store.path).write_text("zz\n")
    with pytest.raises(Exception, match="damaged"):
        store.approvals.verify(scope)


def test_a_rolled_back_transaction_leaves_no_head_behind(store: Store, scope: Scope) -> None:
    with pytest.raises(RuntimeError), store._db.session(write=True, system=True) as tx:
        build_in_tx(tx, scope, State.AUDITED, week=WEEK)
        raise RuntimeError("crash before commit")
    heads = anchored_heads(store.path)[0] if heads_path(store.path).exists() else {}
    assert all(seq == 0 for seq, _ in heads.values())  # at most the chain's opening line: no head proven
    assert store.approvals.verify(scope).ok


def test_a_chain_known_only_by_its_opening_line_verifies_and_one_the_file_never_heard_of_does_not(
        store: Store, scope: Scope) -> None:
    """The opening line is what a kill between a chain's first commit and its first head line leaves
    (tests/storage/test_processes.py kills there); without any line the chain's anchor was removed."""
    plan_in_state(store, scope, add_forecast(store, scope), State.SOLVED)
    path = heads_path(store.path)
    lines = path.read_text().splitlines()
    path.write_text(lines[0] + "\n")
    assert json.loads(lines[0])["seq"] == 0 and store.approvals.verify(scope).ok
    path.write_text("")
    report = store.approvals.verify(scope)
    wien = next(s for s in report.sites if s.site == "wien")
    assert not report.ok and wien.first_broken is not None and "no entry for this chain" in wien.first_broken.problem


def _v1_store(path: Path) -> None:
    """A file as the first release wrote it: schema v1, one plan, its legacy (unkeyed) record."""
    conn = duckdb.connect(str(path))
    try:
        now = datetime(2026, 2, 24, 8, 0)
        conn.execute(_VERSION_TABLE)
        for statement in MIGRATIONS[0].statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (1, 'v1', ?)", [now])
        conn.execute("INSERT INTO forecasts VALUES (1, 'acme', 'wien', ?, 'csv', 'w.csv', NULL, NULL, 'sha256:in', 'PASS', "
                     "'{}', 0, 'alice', ?)", [WEEK, now])
        conn.execute("INSERT INTO plans VALUES (1, 'acme', 'wien', ?, 1, 1, NULL, 'solve', 94, '', 'QUEUED', 1, NULL, "
                     "0, 0, 0, 0, 0, '{}', '{}', '{}', NULL, 'alice', ?, ?, NULL)", [WEEK, now, now])
        fields = {"seq": 1, "tenant": "acme", "site": "wien", "plan_id": 1, "action": "queue", "from_state": None,
                  "to_state": "QUEUED", "actor": "alice", "role": "dispatcher", "reason": "solve v1", "conditions_met": [],
                  "at": now.replace(tzinfo=UTC), "prev_hash": GENESIS_HASH}
        digest = record_hash(fields)
        conn.execute("INSERT INTO approvals VALUES ('acme', 'wien', 1, 1, 'queue', NULL, 'QUEUED', 'alice', 'dispatcher', "
                     "'solve v1', [], ?, ?, ?)", [now, GENESIS_HASH, digest])
        conn.execute("INSERT INTO approval_chains VALUES ('acme', 'wien', 1, ?, 0, ?)", [digest, GENESIS_HASH])
    finally:
        conn.close()


def test_a_v1_store_migrates_keeps_verifying_and_continues_keyed(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _v1_store(path)
    store = Store(path)
    scope = Scope.of("acme", "wien")
    assert store.init() == CURRENT_VERSION == MIGRATIONS[-1].version  # every migration applied (numbers may skip)
    assert store.approvals.verify(scope).ok  # the legacy prefix verifies with plain SHA-256
    plan = store.plans.get(scope, 1)
    store.plans.transition(scope, 1, "solve", expected_version=plan.state_version, actor=ALICE)
    report = store.approvals.verify(scope)
    assert report.ok and report.sites[0].records == 2, report
    records = store.approvals.for_plan(scope, 1)
    assert not records[0].hash.startswith(HMAC_PREFIX) and records[1].hash.startswith(HMAC_PREFIX)
    conn = duckdb.connect(str(path))
    try:
        conn.execute("UPDATE approvals SET reason = 'forged' WHERE seq = 1")
    finally:
        conn.close()
    assert not store.approvals.verify(scope).ok
