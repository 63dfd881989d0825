"""Plan versions: storing solver output, reading it back, and LOCKED immutability at the storage level."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from helpers import ALICE, SYSTEM, WEEK, add_forecast, make_instances, make_result, new_forecast, plan_in_state

from storage import AuditResult, InvalidInput, NewPlan, NotFound, PlanLocked, Scope, State, Store
from storage.repo_plans import PlanRepo


def test_save_stores_everything_and_detail_reads_it_back(store: Store, scope: Scope) -> None:
    fid = add_forecast(store, scope, n=40)
    instances = store.forecasts.content(scope, fid).canonical().instances
    result = make_result(instances, drivers=6)
    saved = store.plans.save(scope, NewPlan(forecast_id=fid, seed=7, solver_config_hash="sha256:cfg"), result, ALICE)
    plan = saved.plan
    assert (plan.state, plan.state_version, plan.version, plan.kind, plan.seed) == ("AUDITED", 5, 1, "solve", 7)
    assert (plan.instance_count, plan.assigned_count, plan.driver_count, plan.audits_passed, plan.audits_total) == (40, 40, 6, 7, 7)
    d = store.plans.detail(scope, plan.id)
    assert d.instances == sorted(instances, key=lambda i: (i.day, i.start, i.end, i.depot, i.skill, i.external_id))
    assert d.assignments == result.assignments and d.summary.output_hash == result.output_hash
    assert (d.lower_bound, d.timings, d.summary.kpis) == (result.lower_bound, result.timings, result.kpis)
    assert d.audits == result.audits and d.forecast.id == fid
    assert [r.action for r in d.approvals] == ["queue", "solve", "solved", "audit", "audited"]
    assert any(i.is_split for i in d.instances) and d.summary.solver_config_hash == "sha256:cfg"


def test_a_failed_solve_is_stored_with_its_error(store: Store, scope: Scope) -> None:
    fid = add_forecast(store, scope)
    res = store.plans.save(scope, NewPlan(forecast_id=fid), None, SYSTEM, error="coverage impossible: Fr late tours")
    assert res.plan.state == "FAILED" and res.plan.error_text == "coverage impossible: Fr late tours"


def test_versions_count_per_week_and_repairs_point_to_their_parent(store: Store, scope: Scope) -> None:
    fid = add_forecast(store, scope)
    other = add_forecast(store, scope, week=WEEK + timedelta(weeks=1))
    base = plan_in_state(store, scope, fid, State.LOCKED)
    repair = store.plans.create(scope, NewPlan(forecast_id=fid, kind="repair", parent_plan_id=base.id), ALICE)
    assert (repair.version, repair.parent_plan_id, repair.kind) == (2, base.id, "repair")
    assert store.plans.create(scope, NewPlan(forecast_id=other), ALICE).version == 1
    with pytest.raises(InvalidInput):
        store.plans.create(scope, NewPlan(forecast_id=other, kind="repair", parent_plan_id=base.id), ALICE)
    with pytest.raises(NotFound):
        store.plans.create(scope, NewPlan(forecast_id=999), ALICE)


def test_list_runs_filters_and_orders_newest_first(store: Store, scope: Scope) -> None:
    fid = add_forecast(store, scope)
    graz = store.forecasts.add(scope, new_forecast(site="graz"), ALICE).forecast.id
    a = plan_in_state(store, scope, fid, State.AUDITED)
    b = plan_in_state(store, scope, graz, State.FAILED)
    c = plan_in_state(store, scope, fid, State.QUEUED)
    assert [p.id for p in store.plans.list_runs(scope)] == [c.id, b.id, a.id]
    assert [p.id for p in store.plans.list_runs(scope, site="graz")] == [b.id]
    assert [p.id for p in store.plans.list_runs(scope, states=["AUDITED", "QUEUED"])] == [c.id, a.id]
    assert [p.id for p in store.plans.list_runs(scope, week=WEEK, limit=1, offset=1)] == [b.id]
    assert store.plans.list_runs(scope, week=WEEK + timedelta(weeks=5)) == []


def test_inconsistent_solver_output_is_refused_whole(store: Store, scope: Scope) -> None:
    fid = add_forecast(store, scope)
    plan = plan_in_state(store, scope, fid, State.SOLVING)
    bad = make_result(make_instances(3)).model_copy(update={"assignments": {"nope": "D1"}})
    with pytest.raises(InvalidInput):
        store.plans.record_result(scope, plan.id, plan.state_version, bad, SYSTEM)
    dup = make_result(make_instances(3) * 2)
    with pytest.raises(InvalidInput):
        store.plans.record_result(scope, plan.id, plan.state_version, dup, SYSTEM)
    twice = [AuditResult(name="coverage", status="PASS")] * 2
    with pytest.raises(InvalidInput):
        store.plans.record_result(scope, plan.id, plan.state_version, make_result(make_instances(3)).model_copy(update={"audits": twice}), SYSTEM)
    assert store.plans.get(scope, plan.id) == plan and store.plans.detail(scope, plan.id).instances == []


# --- LOCKED is immutable through every storage function --------------------------------


def _plan_writes(store: Store, scope: Scope, plan_id: int, version: int) -> dict[str, object]:
    result = make_result(make_instances(4, prefix="Z"))
    calls: dict[str, object] = {
        "record_result": lambda: store.plans.record_result(scope, plan_id, version, result, ALICE),
        "record_audits": lambda: store.plans.record_audits(scope, plan_id, version, result.audits or [], ALICE, kpis={"x": 1}),
        "fail": lambda: store.plans.fail(scope, plan_id, version, "late failure", ALICE),
    }
    for action in ("solve", "audit", "approve", "publish", "reject", "fail", "override"):
        calls[f"transition:{action}"] = (
            lambda a=action: store.plans.transition(scope, plan_id, a, expected_version=version, actor=ALICE, reason="try to change it")
        )
    return calls


def test_every_plan_write_that_takes_a_plan_is_covered() -> None:
    with_plan = {
        name for name, fn in inspect.getmembers(PlanRepo, inspect.isfunction)
        if getattr(fn, "__store_kind__", None) == "write" and "plan_id" in inspect.signature(fn).parameters
    }
    covered = {n.split(":")[0] for n in _plan_writes(None, None, 0, 0)}  # type: ignore[arg-type]
    assert with_plan == covered | {"heartbeat"}  # heartbeat touches only a SOLVING plan's lease (checked below)


@pytest.mark.parametrize("state", [State.LOCKED, State.SUPERSEDED])
def test_locked_and_superseded_plans_cannot_change(store: Store, scope: Scope, state: State) -> None:
    fid = add_forecast(store, scope)
    plan = plan_in_state(store, scope, fid, State.LOCKED)
    if state is State.SUPERSEDED:
        newer = plan_in_state(store, scope, fid, State.PUBLISHED)
        store.plans.transition(scope, newer.id, "lock", expected_version=newer.state_version, actor=ALICE, reason="newer lock")
        plan = store.plans.get(scope, plan.id)
    before = store.plans.detail(scope, plan.id)
    for name, call in _plan_writes(store, scope, plan.id, plan.state_version).items():
        with pytest.raises(PlanLocked):
            call()  # type: ignore[operator]
    assert store.plans.heartbeat(scope, plan.id) is False
    assert store.plans.detail(scope, plan.id) == before, "a refused write changed the plan"
    # a repair of a locked plan is a new version; the locked one stays as it is
    repair = store.plans.save(scope, NewPlan(forecast_id=fid, kind="repair", parent_plan_id=plan.id),
                              make_result(before.instances, drivers=3), ALICE).plan
    assert repair.parent_plan_id == plan.id and store.plans.detail(scope, plan.id) == before


def test_a_solving_plan_carries_this_processs_lease_which_heartbeat_renews(store: Store, scope: Scope) -> None:
    import os
    import socket

    fid = add_forecast(store, scope)
    plan = plan_in_state(store, scope, fid, State.SOLVING)
    (lease,) = store.plans.leases(scope)
    assert (lease.plan_id, lease.pid, lease.host) == (plan.id, os.getpid(), socket.gethostname())
    first = lease.heartbeat_at
    assert store.plans.heartbeat(scope, plan.id) is True
    assert store.plans.leases(scope)[0].heartbeat_at >= first
    store.plans.fail(scope, plan.id, plan.state_version, "solver error", SYSTEM)
    assert store.plans.leases(scope) == [] and store.plans.heartbeat(scope, plan.id) is False
