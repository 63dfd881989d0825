"""SPEC §6 state machine enforced by storage: every allowed and every forbidden step."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import ALICE, SYSTEM, WEEK, build_in_tx, make_instances, make_result, plan_in_state

from storage import ApprovalRecord, IllegalTransition, InvalidInput, PlanLocked, RunSummary, Scope, StaleVersion, State, Store
from storage.approvals import plan_records
from storage.lifecycle import STATE_CHANGES, Action
from storage.lifecycle import transition as raw_transition
from storage.plan_rows import load_summary

S = State
# SPEC §6, written out independently of storage/lifecycle.py's table
SPEC_EDGES = {
    (S.QUEUED, S.SOLVING), (S.SOLVING, S.SOLVED), (S.SOLVED, S.AUDITING), (S.AUDITING, S.AUDITED),
    (S.AUDITED, S.PUBLISHED), (S.PUBLISHED, S.LOCKED), (S.LOCKED, S.SUPERSEDED), (S.PUBLISHED, S.SUPERSEDED),
    (S.QUEUED, S.FAILED), (S.SOLVING, S.FAILED), (S.SOLVED, S.FAILED), (S.AUDITING, S.FAILED),
    (S.AUDITED, S.REJECTED), (S.PUBLISHED, S.REJECTED),
}
# action → (from, to) per SPEC; approve/override record without changing state
SPEC_ACTIONS: dict[str, tuple[set[State], State | None]] = {
    "solve": ({S.QUEUED}, S.SOLVING),
    "solved": ({S.SOLVING}, S.SOLVED),
    "audit": ({S.SOLVED}, S.AUDITING),
    "audited": ({S.AUDITING}, S.AUDITED),
    "publish": ({S.AUDITED}, S.PUBLISHED),
    "lock": ({S.PUBLISHED}, S.LOCKED),
    "supersede": ({S.LOCKED, S.PUBLISHED}, S.SUPERSEDED),
    "fail": ({S.QUEUED, S.SOLVING, S.SOLVED, S.AUDITING}, S.FAILED),
    "reject": ({S.AUDITED, S.PUBLISHED}, S.REJECTED),
    "approve": ({S.AUDITED}, None),
    "override": ({S.QUEUED, S.SOLVING, S.SOLVED, S.AUDITING, S.AUDITED}, None),
}
CASES = [(state, action) for state in State for action in SPEC_ACTIONS]
SCOPE = Scope.of("acme", "wien")


def test_state_table_matches_spec() -> None:
    assert STATE_CHANGES == SPEC_EDGES
    assert {a.value for a in Action} - {"queue"} == set(SPEC_ACTIONS)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[tuple[State, str], int]]:
    """One store holding a plan per (state, action) case, each in its own week, built in one commit."""
    store = Store(Path(tmp_path_factory.mktemp("matrix")) / "m.duckdb")
    plans: dict[tuple[State, str], int] = {}
    with store._db.session(write=True, system=True) as tx:
        for k, (state, action) in enumerate(CASES):
            plans[(state, action)] = build_in_tx(tx, SCOPE, state, week=WEEK + timedelta(weeks=k), tag=str(k))
    return store, plans


def _apply(store: Store, plan_id: int, action: str, version: int) -> None:
    scope = SCOPE
    if action == "solved":
        store.plans.record_result(scope, plan_id, version, make_result(make_instances(3), audits=False), SYSTEM)
    elif action == "audited":
        store.plans.record_audits(scope, plan_id, version, make_result([]).audits or [], SYSTEM)
    elif action == "fail":
        store.plans.fail(scope, plan_id, version, "solver crashed", SYSTEM)
    elif action == "supersede":  # no public path (only publishing/locking a newer version does it): drive the table directly
        with store._db.session(write=True, system=True) as tx:
            raw_transition(tx, scope, plan_id, Action.SUPERSEDE, expected_version=version, actor=ALICE, reason="test")
    else:
        store.plans.transition(scope, plan_id, action, expected_version=version, actor=ALICE, reason="checked by the test")


def _snapshot(store: Store, plan_id: int) -> tuple[RunSummary, list[ApprovalRecord]]:
    """The plan and its approval records, read in one session."""
    with store._db.session(write=False, system=True) as tx:
        return load_summary(tx, SCOPE, plan_id), plan_records(tx, SCOPE, plan_id)


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s.value}-{a}" for s, a in CASES])
def test_every_action_from_every_state(matrix: tuple[Store, dict[tuple[State, str], int]], state: State, action: str) -> None:
    store, plans = matrix
    plan_id = plans[(state, action)]
    before, records_before = _snapshot(store, plan_id)
    assert before.state == state.value and before.state_version == len(records_before)
    starts, target = SPEC_ACTIONS[action]
    if state in starts:
        _apply(store, plan_id, action, before.state_version)
        after, records = _snapshot(store, plan_id)
        assert after.state == (target or state).value
        assert after.state_version == before.state_version + 1
        assert records[:-1] == records_before
        assert (records[-1].action, records[-1].from_state, records[-1].to_state) == (action, state.value, after.state)
    elif action == "lock" and state is S.LOCKED:
        _apply(store, plan_id, action, before.state_version)  # idempotent: nothing changes, nothing recorded
        assert _snapshot(store, plan_id) == (before, records_before)
    else:
        expected = PlanLocked if state in (S.LOCKED, S.SUPERSEDED) else IllegalTransition
        with pytest.raises(expected):
            _apply(store, plan_id, action, before.state_version)
        assert _snapshot(store, plan_id) == (before, records_before)


def test_reachable_state_changes_equal_spec(matrix: tuple[Store, dict[tuple[State, str], int]]) -> None:
    """Read back what the matrix did: the (from, to) pairs that happened are exactly SPEC's edges."""
    store, _ = matrix
    seen = {
        (State(r.from_state), State(r.to_state))
        for r in store.approvals.list_records(SCOPE, limit=100_000)
        if r.from_state and r.from_state != r.to_state
    }
    assert seen == SPEC_EDGES


# --- versions, reasons, idempotency ------------------------------------------------


def test_stale_version_is_refused(store: Store, scope: Scope) -> None:
    from helpers import add_forecast

    plan = plan_in_state(store, scope, add_forecast(store, scope), S.AUDITED)
    for wrong in (plan.state_version - 1, plan.state_version + 1):
        with pytest.raises(StaleVersion) as err:
            store.plans.transition(scope, plan.id, "publish", expected_version=wrong, actor=ALICE, reason="ship it please")
        assert "reload" in str(err.value)
    assert store.plans.get(scope, plan.id) == plan
    # the first of two concurrent approvers wins, the second must reload
    store.plans.transition(scope, plan.id, "approve", expected_version=plan.state_version, actor=ALICE, reason="first approval")
    with pytest.raises(StaleVersion):
        store.plans.transition(scope, plan.id, "publish", expected_version=plan.state_version,
                               actor=ALICE.model_copy(update={"name": "bob"}), reason="second approval")


def test_stale_version_also_guards_solver_results(store: Store, scope: Scope) -> None:
    from helpers import add_forecast

    plan = plan_in_state(store, scope, add_forecast(store, scope), S.SOLVING)
    with pytest.raises(StaleVersion):
        store.plans.record_result(scope, plan.id, plan.state_version - 1, make_result([], audits=False), SYSTEM)


@pytest.mark.parametrize("action", ["publish", "lock", "reject", "approve", "override"])
def test_actions_that_need_a_reason(store: Store, scope: Scope, action: str) -> None:
    from helpers import add_forecast

    start = S.PUBLISHED if action == "lock" else S.AUDITED
    plan = plan_in_state(store, scope, add_forecast(store, scope), start)
    with pytest.raises(InvalidInput):
        store.plans.transition(scope, plan.id, action, expected_version=plan.state_version, actor=ALICE, reason="  ")
    assert store.plans.get(scope, plan.id) == plan


def test_lock_is_idempotent_and_checkpoints(store: Store, scope: Scope) -> None:
    from helpers import add_forecast

    plan = plan_in_state(store, scope, add_forecast(store, scope), S.LOCKED)
    again = store.plans.transition(scope, plan.id, "lock", expected_version=0, actor=ALICE, reason="lock again")
    assert not again.changed and again.record is None and again.plan == plan
    assert not Path(store.path + ".wal").exists()


def test_fail_keeps_the_error_text(store: Store, scope: Scope) -> None:
    from helpers import add_forecast

    plan = plan_in_state(store, scope, add_forecast(store, scope), S.SOLVING)
    failed = store.plans.fail(scope, plan.id, plan.state_version, "no driver can work Mo-0445-0915-1", SYSTEM).plan
    assert failed.state == "FAILED" and failed.error_text == "no driver can work Mo-0445-0915-1"
    assert store.approvals.for_plan(scope, plan.id)[-1].reason == "no driver can work Mo-0445-0915-1"


def test_internal_actions_are_not_public(store: Store, scope: Scope) -> None:
    for action in ("solved", "audited", "supersede", "queue"):
        with pytest.raises(ValueError):
            store.plans.transition(scope, 1, action, expected_version=1, actor=ALICE, reason="not allowed here")


# --- supersede on lock -----------------------------------------------------------


def test_locking_a_newer_version_supersedes_the_older_locked_one(store: Store, scope: Scope) -> None:

    from helpers import new_forecast

    fid = store.forecasts.add(scope, new_forecast("acme", "wien"), ALICE).forecast.id
    other_week = store.forecasts.add(scope, new_forecast("acme", "wien", week=WEEK + timedelta(weeks=1)), ALICE).forecast.id
    other_site = store.forecasts.add(scope, new_forecast("acme", "graz"), ALICE).forecast.id
    v1 = plan_in_state(store, scope, fid, S.LOCKED)
    keep_week = plan_in_state(store, scope, other_week, S.LOCKED)
    keep_site = plan_in_state(store, scope, other_site, S.LOCKED)
    v2 = plan_in_state(store, scope, fid, S.PUBLISHED, kind="repair", parent_plan_id=v1.id)
    assert v2.version == v1.version + 1

    result = store.plans.transition(scope, v2.id, "lock", expected_version=v2.state_version, actor=ALICE,
                                    reason="final lock for export", conditions_met=["audits_pass", "within_window"])
    assert result.plan.state == "LOCKED" and result.superseded == (v1.id,)
    old = store.plans.get(scope, v1.id)
    assert old.state == "SUPERSEDED" and old.state_version == v1.state_version + 1
    assert store.plans.get(scope, keep_week.id).state == "LOCKED"
    assert store.plans.get(scope, keep_site.id).state == "LOCKED"
    # both records were written by the one transaction: same timestamp, adjacent in the chain
    sup = store.approvals.for_plan(scope, v1.id)[-1]
    lock = store.approvals.for_plan(scope, v2.id)[-1]
    assert (sup.action, sup.from_state, sup.to_state) == ("supersede", "LOCKED", "SUPERSEDED")
    assert sup.at == lock.at and lock.seq == sup.seq + 1
    assert lock.conditions_met == ("audits_pass", "within_window")
    # a superseded plan stays immutable
    with pytest.raises(PlanLocked):
        store.plans.transition(scope, v1.id, "reject", expected_version=old.state_version, actor=ALICE, reason="too late now")


def test_an_older_version_cannot_be_published_over_a_newer_locked_one(store: Store, scope: Scope) -> None:
    from helpers import add_forecast

    fid = add_forecast(store, scope)
    older = plan_in_state(store, scope, fid, S.AUDITED)
    newer = plan_in_state(store, scope, fid, S.LOCKED)
    with pytest.raises(IllegalTransition, match=rf"a newer version \(plan {newer.id}, v2\) of this week is already LOCKED"):
        store.plans.transition(scope, older.id, "publish", expected_version=older.state_version, actor=ALICE,
                               reason="publish the old one")
    assert store.plans.get(scope, newer.id).state == "LOCKED"
    assert store.plans.get(scope, older.id) == older


def test_publishing_a_newer_version_supersedes_the_older_published_one(store: Store, scope: Scope) -> None:
    """At most one PUBLISHED plan per tenant/site/week (SPEC §6); the supersede is recorded in the
    publish's transaction."""
    from helpers import add_forecast

    fid = add_forecast(store, scope)
    v1 = plan_in_state(store, scope, fid, S.PUBLISHED)
    v2 = plan_in_state(store, scope, fid, S.AUDITED)
    result = store.plans.transition(scope, v2.id, "publish", expected_version=v2.state_version, actor=ALICE,
                                    reason="the better version")
    assert result.plan.state == "PUBLISHED" and result.superseded == (v1.id,)
    assert store.plans.get(scope, v1.id).state == "SUPERSEDED"
    sup = store.approvals.for_plan(scope, v1.id)[-1]
    pub = store.approvals.for_plan(scope, v2.id)[-1]
    assert (sup.action, sup.from_state, sup.to_state) == ("supersede", "PUBLISHED", "SUPERSEDED")
    assert sup.reason == f"superseded by plan {v2.id} (v{v2.version}) on publish"
    assert sup.at == pub.at and pub.seq == sup.seq + 1
    # a superseded version stays so: it cannot be published again
    older = store.plans.get(scope, v1.id)
    with pytest.raises(PlanLocked):
        store.plans.transition(scope, older.id, "publish", expected_version=older.state_version, actor=ALICE, reason="back to v1")


def test_an_older_version_cannot_be_published_over_a_newer_published_one(store: Store, scope: Scope) -> None:
    from helpers import add_forecast

    fid = add_forecast(store, scope)
    older = plan_in_state(store, scope, fid, S.AUDITED)
    newer = plan_in_state(store, scope, fid, S.PUBLISHED)
    with pytest.raises(IllegalTransition, match="of this week is already PUBLISHED"):
        store.plans.transition(scope, older.id, "publish", expected_version=older.state_version, actor=ALICE,
                               reason="publish the old one")
    assert store.plans.get(scope, newer.id).state == "PUBLISHED"
