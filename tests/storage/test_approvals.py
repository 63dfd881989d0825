"""The approval log is append-only and hash-chained: tampering shows up as the first broken link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import ALICE, WEEK, add_forecast, build_in_tx, plan_in_state, raw

from storage import Scope, State, Store
from storage.approvals import GENESIS_HASH, keyed_record_hash, record_hash
from storage.trust import load_key


@pytest.fixture
def chain(store: Store) -> tuple[Store, Scope]:
    scope = Scope.of("acme", "wien")
    with store._db.session(write=True, system=True) as tx:  # 13 records: 7 of a locked plan, 6 of a rejected one
        build_in_tx(tx, scope, State.LOCKED, week=WEEK)
        build_in_tx(tx, scope, State.REJECTED, week=WEEK + timedelta(weeks=1), tag="r")
    return store, scope


def test_an_untouched_chain_verifies(chain: tuple[Store, Scope]) -> None:
    store, scope = chain
    report = store.approvals.verify(scope)
    assert report.ok and report.sites[0].records == 13
    records = list(reversed(store.approvals.list_records(scope)))
    assert [r.seq for r in records] == list(range(1, 14))
    assert records[0].prev_hash == GENESIS_HASH
    for before, after in zip(records, records[1:], strict=False):
        assert after.prev_hash == before.hash
    key = load_key(store.path, create=False)
    assert key is not None
    assert all(keyed_record_hash(key, r) == r.hash for r in records)
    assert records[0].at.tzinfo is not None


@pytest.mark.parametrize("column,value", [("reason", "'nothing to see'"), ("actor", "'mallory'"), ("to_state", "'LOCKED'"),
                                          ("recorded_at", "recorded_at + INTERVAL '1 hour'"), ("conditions_met", "ARRAY['forged']")])
def test_editing_a_record_is_detected_at_that_record(chain: tuple[Store, Scope], column: str, value: str) -> None:
    store, scope = chain
    with raw(store) as conn:
        conn.execute(f"UPDATE approvals SET {column} = {value} WHERE seq = 5")
    problem = store.approvals.verify(scope).sites[0].first_broken
    assert problem is not None and problem.seq == 5 and "edited" in problem.problem


def test_editing_a_record_and_rehashing_it_without_the_key_is_detected_at_that_record(chain: tuple[Store, Scope]) -> None:
    store, scope = chain
    rec = next(r for r in store.approvals.list_records(scope) if r.seq == 5)
    forged = rec.model_copy(update={"reason": "forged"})
    with raw(store) as conn:
        conn.execute("UPDATE approvals SET reason = 'forged', hash = ? WHERE seq = 5", [record_hash(forged)])
    problem = store.approvals.verify(scope).sites[0].first_broken
    assert problem is not None and problem.seq == 5 and "store key" in problem.problem


def test_deleting_a_record_is_detected(chain: tuple[Store, Scope]) -> None:
    store, scope = chain
    with raw(store) as conn:
        conn.execute("DELETE FROM approvals WHERE seq = 7")
    problem = store.approvals.verify(scope).sites[0].first_broken
    assert problem is not None and problem.seq == 7 and "missing" in problem.problem


def test_deleting_the_newest_records_is_detected(chain: tuple[Store, Scope]) -> None:
    store, scope = chain
    with raw(store) as conn:
        conn.execute("DELETE FROM approvals WHERE seq >= 12")
    problem = store.approvals.verify(scope).sites[0].first_broken
    assert problem is not None and problem.seq == 12 and "removed" in problem.problem


def test_deleting_the_first_record_is_detected(chain: tuple[Store, Scope]) -> None:
    store, scope = chain
    with raw(store) as conn:
        conn.execute("DELETE FROM approvals WHERE seq = 1")
    problem = store.approvals.verify(scope).sites[0].first_broken
    assert problem is not None and problem.seq == 1


def test_reordering_records_is_detected(chain: tuple[Store, Scope]) -> None:
    store, scope = chain
    with raw(store) as conn:  # swap the positions of records 3 and 4
        conn.execute("UPDATE approvals SET seq = -3 WHERE seq = 3")
        conn.execute("UPDATE approvals SET seq = 3 WHERE seq = 4")
        conn.execute("UPDATE approvals SET seq = 4 WHERE seq = -3")
    problem = store.approvals.verify(scope).sites[0].first_broken
    assert problem is not None and problem.seq == 3


def test_reordering_by_timestamps_is_detected(chain: tuple[Store, Scope]) -> None:
    store, scope = chain
    with raw(store) as conn:  # make record 9 look older than record 8
        conn.execute("UPDATE approvals SET recorded_at = recorded_at - INTERVAL '1 day' WHERE seq = 9")
    problem = store.approvals.verify(scope).sites[0].first_broken
    assert problem is not None and problem.seq == 9


def test_chains_are_per_site_and_verify_only_the_callers_sites(store: Store) -> None:
    wien, graz = Scope.of("acme", "wien"), Scope.of("acme", "graz")
    plan_in_state(store, wien, add_forecast(store, wien), State.AUDITED)
    plan_in_state(store, graz, add_forecast(store, graz), State.SOLVED)
    with raw(store) as conn:
        conn.execute("UPDATE approvals SET reason = 'x' WHERE site_code = 'graz' AND seq = 2")
    assert store.approvals.verify(wien).ok
    both = store.approvals.verify(Scope.of("acme", "wien", "graz"))
    assert not both.ok
    assert [(s.site, s.ok) for s in both.sites] == [("graz", False), ("wien", True)]
    assert [r.seq for r in store.approvals.list_records(wien)] == [5, 4, 3, 2, 1]


def test_records_carry_what_spec_asks_for(store: Store, scope: Scope) -> None:
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.AUDITED)
    actor = ALICE.model_copy(update={"name": "root as alice"})
    result = store.plans.transition(scope, plan.id, "publish", expected_version=plan.state_version, actor=actor,
                                    reason="weekly schedule approval", conditions_met=["audits_pass", "coverage_100"])
    rec = result.record
    assert rec is not None
    assert (rec.action, rec.plan_id, rec.from_state, rec.to_state) == ("publish", plan.id, "AUDITED", "PUBLISHED")
    assert (rec.actor, rec.role, rec.reason) == ("root as alice", "dispatcher", "weekly schedule approval")
    assert rec.conditions_met == ("audits_pass", "coverage_100")
    assert rec.at == result.plan.updated_at and rec.at.utcoffset().total_seconds() == 0
    assert store.approvals.for_plan(scope, plan.id)[-1] == rec
