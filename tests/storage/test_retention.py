"""Retention purge (SPEC §9): old data goes, what a LOCKED plan needs stays, the chain still verifies."""

from __future__ import annotations

from datetime import timedelta

from helpers import ALICE, WEEK, StepClock, add_forecast, plan_in_state, raw

from storage import RetentionPolicy, Scope, State, Store


def test_purge_respects_locked_plans_and_keeps_the_chain_valid(store: Store, scope: Scope, clock: StepClock) -> None:
    old = add_forecast(store, scope)
    draft = plan_in_state(store, scope, old, State.AUDITED)
    locked = plan_in_state(store, scope, old, State.LOCKED)
    nothing = store.retention.purge(scope, RetentionPolicy(), dry_run=False)
    assert (nothing.plans, nothing.forecasts, nothing.approval_records) == ((), (), 0)
    clock.now += timedelta(days=95)
    recent = add_forecast(store, scope, week=WEEK + timedelta(weeks=14))
    clock.now += timedelta(days=5)  # day 100: the draft is past 90 days, the locked plan is kept a year

    dry = store.retention.purge(scope, RetentionPolicy(), dry_run=True)
    assert (dry.plans, dry.forecasts, dry.kept_locked, dry.approval_records) == ((draft.id,), (), (locked.id,), 0)
    assert store.plans.get(scope, draft.id)  # a dry run changes nothing
    done = store.retention.purge(scope, RetentionPolicy(), dry_run=False)
    assert done.plans == (draft.id,) and not done.dry_run
    assert [p.id for p in store.plans.list_runs(scope)] == [locked.id]
    assert store.plans.detail(scope, locked.id).summary.state == "LOCKED"
    assert store.approvals.verify(scope).ok

    clock.now += timedelta(days=300)  # day 400: the lock is older than a year
    late = store.retention.purge(scope, RetentionPolicy(), dry_run=False)
    assert late.plans == (locked.id,) and late.forecasts == (old, recent)
    assert late.approval_records == 12  # the whole prefix of records of both purged plans
    assert store.plans.list_runs(scope) == [] and store.forecasts.list_forecasts(scope) == []
    assert store.approvals.verify(scope).ok
    # the chain continues after its new anchor
    fresh = plan_in_state(store, scope, add_forecast(store, scope, prefix="N"), State.QUEUED)
    assert store.approvals.for_plan(scope, fresh.id)[0].seq == 13
    assert store.approvals.verify(scope).ok
    store.plans.transition(scope, fresh.id, "fail", expected_version=1, actor=ALICE)
    assert store.approvals.verify(scope).ok


def test_purged_records_leave_linked_tombstones_without_people_and_an_edited_one_breaks_verify(
    store: Store, scope: Scope, clock: StepClock
) -> None:
    old = add_forecast(store, scope)
    gone = plan_in_state(store, scope, old, State.LOCKED)
    records = store.approvals.for_plan(scope, gone.id)
    clock.now += timedelta(days=400)
    dry = store.retention.purge(scope, RetentionPolicy(), dry_run=True)
    done = store.retention.purge(scope, RetentionPolicy(), dry_run=False)
    assert dry.model_copy(update={"dry_run": False}) == done  # the dry run lists exactly what goes
    assert done.tombstoned == tuple(f"wien#{r.seq}" for r in records)
    with store._db.session(write=False, system=True) as tx:
        stones = tx.all("SELECT * FROM approval_tombstones ORDER BY seq")
    assert [(s[2], s[6], s[7]) for s in stones] == [(r.seq, r.prev_hash, r.hash) for r in records]
    assert not any(r.actor in map(str, s) or r.reason in map(str, s) for r in records for s in stones)
    assert store.approvals.verify(scope).ok
    with raw(store) as conn:
        conn.execute("UPDATE approval_tombstones SET hash = 'sha256:' || repeat('1', 64) WHERE seq = 2")
    report = store.approvals.verify(scope)
    wien = next(site for site in report.sites if site.site == "wien")
    assert not report.ok and wien.first_broken is not None and "tombstone" in wien.first_broken.problem
