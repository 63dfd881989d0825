"""Tenant/site isolation: every read (and every write) honours the caller's scope, and another
tenant's or site's object behaves exactly like one that does not exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import ALICE, SYSTEM, WEEK, build_in_tx, make_result, new_forecast

from engine.models import DriverSpec
from storage.outbox import OutboxMessage, message_key
from storage import NewPlan, NotFound, RetentionPolicy, Scope, State, Store
from storage.models import VersionExtras
from storage.repo_alerts import NewAlert

OWNER = Scope.of("acme", "wien")
SAME_TENANT_OTHER_SITE = Scope.of("acme", "graz")
OTHER_TENANT_SAME_SITE = Scope.of("other", "wien")
NO_SITES = Scope(tenant="acme", sites=frozenset())


@dataclass
class World:
    store: Store
    empty: Store
    plan: int
    forecast: int
    input_hash: str
    solving: int


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The same world on both backends (PostgreSQL: two fresh databases of the run's cluster)."""
    root = Path(tmp_path_factory.mktemp("iso"))
    with pytest.MonkeyPatch.context() as mp:
        if request.param == "postgresql":
            cluster = request.getfixturevalue("pg_cluster")
            mp.setenv("SOLVEREIGN_TRUST_DIR", str(root / "trust"))
            store, empty = Store(cluster.fresh_database("iso")), Store(cluster.fresh_database("iso"))
        else:
            store, empty = Store(root / "full.duckdb"), Store(root / "empty.duckdb")
        yield _build(store, empty)


def _build(store: Store, empty: Store) -> World:
    empty.init()
    ids: dict[str, int] = {}
    with store._db.session(write=True, system=True) as tx:
        for scope in (OWNER, SAME_TENANT_OTHER_SITE, OTHER_TENANT_SAME_SITE):  # identical content everywhere
            key = f"{scope.tenant}/{sorted(scope.sites)[0]}"
            ids[key] = build_in_tx(tx, scope, State.LOCKED, week=WEEK)
            ids[f"{key}/solving"] = build_in_tx(tx, scope, State.SOLVING, week=WEEK + timedelta(weeks=1), tag="s")
    owner_plan = store.plans.get(OWNER, ids["acme/wien"])
    for scope, login in ((OWNER, "alice"), (SAME_TENANT_OTHER_SITE, "gina"), (OTHER_TENANT_SAME_SITE, "olga")):
        store.users.upsert(scope, login, name=login.title(), email=f"{login}@example.com", role="dispatcher",
                           sites=list(scope.sites), actor=SYSTEM)
        store.drivers.upsert_many(scope, sorted(scope.sites)[0], [DriverSpec(external_id="W-1", name=f"{login}'s driver")], SYSTEM)
    store.settings.set_kill_switch(OWNER, True, actor=ALICE, reason="acme-reason")
    store.settings.set_kill_switch(OTHER_TENANT_SAME_SITE, False, actor=ALICE, reason="other-reason")
    store.tenants.ensure(OWNER, "Acme")
    pinned = sorted(store.plans.detail(OWNER, owner_plan.id).assignments)[0]
    store.pins.set(OWNER, owner_plan.id, pinned, pinned=True, actor=ALICE, reason="keep this one")
    store.gdpr.request(OWNER, "wien", "W-1", ALICE, "acme-erasure")
    store.outbox.enqueue(OWNER, [_message(owner_plan.id)])
    store.evidence.record(OWNER, owner_plan.id, "/evidence/pack.zip", "sha256:" + "a" * 64, 100, SYSTEM)
    store.alerts.raise_alert(OWNER, _alert())
    store.alerts.record_handoff(OWNER, "shift", ALICE)
    return World(store, empty, owner_plan.id, owner_plan.forecast_id, owner_plan.input_hash, ids["acme/wien/solving"])


def _message(plan_id: int, tenant: str = "acme", site: str = "wien") -> OutboxMessage:
    return OutboxMessage(key=message_key(tenant, site, plan_id, "W-1", "email"), tenant=tenant, site=site, plan_id=plan_id,
                         driver_id="W-1", channel="email", address="w1@example.at", subject="your week", body="Mo 06:00", ics=b"")


def _alert() -> NewAlert:
    return NewAlert(site="wien", severity="S1", kind="coverage", subject="run 1", message="acme-alert")


def _has(items: Any, pred: Callable[[Any], bool]) -> bool:
    return any(pred(i) for i in items)


# name → (call, "is the owner's object in the result?", level: site-scoped or tenant-scoped)
READS: dict[str, tuple[Callable[[Store, Scope, World], Any], Callable[[Any, World], bool], str]] = {
    "tenants.get": (lambda s, sc, w: s.tenants.get(sc), lambda r, w: r.name == "Acme", "tenant"),
    "sites.get": (lambda s, sc, w: s.sites.get(sc, "wien"), lambda r, w: r.tenant == "acme", "site"),
    "sites.list_sites": (lambda s, sc, w: s.sites.list_sites(sc), lambda r, w: _has(r, lambda x: (x.tenant, x.code) == ("acme", "wien")), "site"),
    "users.get": (lambda s, sc, w: s.users.get(sc, "alice"), lambda r, w: r.login == "alice", "site"),
    "users.list_users": (lambda s, sc, w: s.users.list_users(sc), lambda r, w: _has(r, lambda x: x.login == "alice"), "site"),
    "settings.get": (lambda s, sc, w: s.settings.get(sc, "kill_switch"), lambda r, w: r is not None and r.reason == "acme-reason", "tenant"),
    "settings.history": (lambda s, sc, w: s.settings.history(sc), lambda r, w: _has(r, lambda x: x.reason == "acme-reason"), "tenant"),
    "settings.kill_switch": (lambda s, sc, w: s.settings.kill_switch(sc), lambda r, w: r.reason == "acme-reason", "tenant"),
    "forecasts.get": (lambda s, sc, w: s.forecasts.get(sc, w.forecast), lambda r, w: r.id == w.forecast, "site"),
    "forecasts.content": (lambda s, sc, w: s.forecasts.content(sc, w.forecast), lambda r, w: len(r.raw_bytes) > 0, "site"),
    "forecasts.find_by_hash": (lambda s, sc, w: s.forecasts.find_by_hash(sc, "wien", w.input_hash), lambda r, w: r is not None, "site"),
    "forecasts.list_forecasts": (lambda s, sc, w: s.forecasts.list_forecasts(sc), lambda r, w: _has(r, lambda x: x.id == w.forecast), "site"),
    "plans.get": (lambda s, sc, w: s.plans.get(sc, w.plan), lambda r, w: r.id == w.plan, "site"),
    "plans.detail": (lambda s, sc, w: s.plans.detail(sc, w.plan), lambda r, w: r.summary.id == w.plan, "site"),
    "plans.list_runs": (lambda s, sc, w: s.plans.list_runs(sc), lambda r, w: _has(r, lambda x: x.id == w.plan), "site"),
    "approvals.for_plan": (lambda s, sc, w: s.approvals.for_plan(sc, w.plan), lambda r, w: len(r) > 0, "site"),
    "approvals.list_records": (lambda s, sc, w: s.approvals.list_records(sc), lambda r, w: _has(r, lambda x: x.plan_id == w.plan), "site"),
    "approvals.plan_integrity": (lambda s, sc, w: s.approvals.plan_integrity(sc, w.plan), lambda r, w: r is None, "site"),
    "plans.leases": (lambda s, sc, w: s.plans.leases(sc), lambda r, w: _has(r, lambda x: x.plan_id == w.solving), "site"),
    "approvals.verify": (lambda s, sc, w: s.approvals.verify(sc), lambda r, w: _has(r.sites, lambda x: x.site == "wien" and r.tenant == "acme"), "site"),
    "drivers.get": (lambda s, sc, w: s.drivers.get(sc, "wien", "W-1"), lambda r, w: r.tenant == "acme" and r.site == "wien", "site"),
    "evidence.chain_links": (lambda s, sc, w: s.evidence.chain_links(sc, w.plan), lambda r, w: len(r) > 0, "site"),
    "gdpr.pending": (lambda s, sc, w: s.gdpr.pending(sc, "wien", "W-1"), lambda r, w: r is not None and r.reason == "acme-erasure", "site"),
    "gdpr.history": (lambda s, sc, w: s.gdpr.history(sc), lambda r, w: _has(r, lambda x: x.reason == "acme-erasure"), "site"),
    "outbox.for_plan": (lambda s, sc, w: s.outbox.for_plan(sc, w.plan), lambda r, w: len(r) > 0, "site"),
    "outbox.counts": (lambda s, sc, w: s.outbox.counts(sc, w.plan), lambda r, w: sum(r.values()) > 0, "site"),
    "evidence.for_plan": (lambda s, sc, w: s.evidence.for_plan(sc, w.plan), lambda r, w: _has(r, lambda x: x.plan_id == w.plan), "site"),
    "drivers.list_drivers": (lambda s, sc, w: s.drivers.list_drivers(sc), lambda r, w: _has(r, lambda x: (x.tenant, x.site) == ("acme", "wien")), "site"),
    "pins.for_plan": (lambda s, sc, w: s.pins.for_plan(sc, w.plan), lambda r, w: len(r) == 1, "site"),
    "alerts.get": (lambda s, sc, w: s.alerts.get(sc, 1), lambda r, w: r.message == "acme-alert", "site"),
    "alerts.list_alerts": (lambda s, sc, w: s.alerts.list_alerts(sc), lambda r, w: _has(r, lambda x: x.message == "acme-alert"), "site"),
    "alerts.last_handoff": (lambda s, sc, w: s.alerts.last_handoff(sc, "shift"), lambda r, w: r is not None and r.tenant == "acme", "tenant"),
}
# the one read that crosses the scope on purpose: a yes/no on whether a refused id exists elsewhere (test below)
CROSS_SCOPE = {"alerts.exists_elsewhere"}
FOREIGN = {"site": [SAME_TENANT_OTHER_SITE, OTHER_TENANT_SAME_SITE, NO_SITES], "tenant": [OTHER_TENANT_SAME_SITE]}


def _methods(kind: str) -> set[str]:
    store = Store("/nonexistent/never-opened.duckdb")
    found = set()
    for repo_name, repo in vars(store).items():
        if repo_name.startswith("_"):
            continue
        for name in dir(repo):
            if getattr(getattr(repo, name), "__store_kind__", None) == kind:
                found.add(f"{repo_name}.{name}")
    return found


def test_every_scoped_read_has_an_isolation_case() -> None:
    assert _methods("read") == set(READS) | CROSS_SCOPE


def test_exists_elsewhere_says_only_yes_or_no_for_a_foreign_id(world: World) -> None:
    """A scope violation attempt (app/ops/alerts.py) is told from a typo, and nothing of the row comes back."""
    assert world.store.alerts.exists_elsewhere(OWNER, "plan", world.plan) is False  # the caller's own
    assert world.store.alerts.exists_elsewhere(OTHER_TENANT_SAME_SITE, "plan", world.plan) is True
    assert world.store.alerts.exists_elsewhere(SAME_TENANT_OTHER_SITE, "forecast", world.forecast) is True
    assert world.store.alerts.exists_elsewhere(OTHER_TENANT_SAME_SITE, "plan", 10**9) is False
    assert world.store.alerts.exists_elsewhere(OTHER_TENANT_SAME_SITE, "driver", world.plan) is False  # not a kind it knows


@pytest.mark.parametrize("name", sorted(READS))
def test_owner_sees_its_object(world: World, name: str) -> None:
    call, visible, _ = READS[name]
    assert visible(call(world.store, OWNER, world), world)


@pytest.mark.parametrize(
    ("name", "scope"),
    [(n, sc) for n in sorted(READS) for sc in FOREIGN[READS[n][2]]],
    ids=[f"{n}-{sc.tenant}:{'+'.join(sorted(sc.sites)) or 'none'}" for n in sorted(READS) for sc in FOREIGN[READS[n][2]]],
)
def test_foreign_scope_sees_nothing(world: World, name: str, scope: Scope) -> None:
    call, visible, _ = READS[name]
    try:
        result = call(world.store, scope, world)
    except NotFound as exc:
        # exactly what a store without the object says for the same question
        with pytest.raises(NotFound) as same:
            call(world.empty, OWNER, world)
        assert str(exc) == str(same.value)
        return
    assert not visible(result, world)


# --- writes -------------------------------------------------------------------------

WRITES: dict[str, Callable[[Store, Scope, World], Any]] = {
    "plans.create": lambda s, sc, w: s.plans.create(sc, NewPlan(forecast_id=w.forecast), ALICE),
    "plans.save": lambda s, sc, w: s.plans.save(sc, NewPlan(forecast_id=w.forecast), make_result([]), ALICE),
    "plans.record_result": lambda s, sc, w: s.plans.record_result(sc, w.plan, 7, make_result([]), ALICE),
    "plans.record_audits": lambda s, sc, w: s.plans.record_audits(sc, w.plan, 7, [], ALICE),
    "plans.transition": lambda s, sc, w: s.plans.transition(sc, w.plan, "reject", expected_version=7, actor=ALICE, reason="not yours"),
    "plans.fail": lambda s, sc, w: s.plans.fail(sc, w.plan, 7, "boom", ALICE),
    "forecasts.add": lambda s, sc, w: s.forecasts.add(sc, new_forecast("acme", "wien", prefix="X"), ALICE),
    "sites.upsert": lambda s, sc, w: s.sites.upsert(sc, "wien", name="hijacked", enabled=True, actor=ALICE),
    "sites.create": lambda s, sc, w: s.sites.create(sc, "linz", enabled=True, actor=ALICE, reason="a new depot"),
    "plans.heartbeat": lambda s, sc, w: s.plans.heartbeat(sc, w.solving),
    "sites.set_enabled": lambda s, sc, w: s.sites.set_enabled(sc, "wien", True, actor=ALICE, reason="hijack the gate"),
    "users.upsert": lambda s, sc, w: s.users.upsert(sc, "mallory", name="M", email="m@x", role="viewer", sites=["wien"], actor=ALICE),
    "drivers.upsert_many": lambda s, sc, w: s.drivers.upsert_many(sc, "wien", [DriverSpec(external_id="W-9")], ALICE),
    "drivers.remove": lambda s, sc, w: s.drivers.remove(sc, "wien", "W-1", ALICE, "left the company"),
    "plans.save_version": lambda s, sc, w: s.plans.save_version(
        sc, NewPlan(forecast_id=w.forecast, kind="repair", parent_plan_id=w.plan), make_result([]), ALICE, VersionExtras()),
    "pins.set": lambda s, sc, w: s.pins.set(sc, w.plan, "T-1", pinned=False, actor=ALICE, reason="not yours"),
    "gdpr.request": lambda s, sc, w: s.gdpr.request(sc, "wien", "W-1", ALICE, "foreign erasure"),
    "gdpr.execute": lambda s, sc, w: s.gdpr.execute(sc, "wien", "W-1", 1, ALICE),
    "outbox.enqueue": lambda s, sc, w: s.outbox.enqueue(sc, [_message(w.plan, sc.tenant, sorted(sc.sites)[0])]),
    "outbox.record_attempt": lambda s, sc, w: s.outbox.record_attempt(sc, _message(w.plan).key, error=None, next_attempt_at=None),
    "evidence.record": lambda s, sc, w: s.evidence.record(sc, w.plan, "/evidence/other.zip", "sha256:0", 1, ALICE),
    "api_keys.add": lambda s, sc, w: s.api_keys.add(sc, "alice", "0" * 64, ALICE),
    "alerts.raise_alert": lambda s, sc, w: s.alerts.raise_alert(sc, _alert()),
    "alerts.ack": lambda s, sc, w: s.alerts.ack(sc, 1, ALICE, "not your alert to ack"),
    "alerts.record_delivery": lambda s, sc, w: s.alerts.record_delivery(sc, 1, error=None),
}
# tenant-wide writes act on the caller's own tenant by construction; purge only sees the caller's sites
OWN_TENANT_ONLY = {"tenants.ensure", "settings.put", "settings.set_kill_switch", "retention.purge", "alerts.record_handoff"}


def test_every_scoped_write_has_an_isolation_case() -> None:
    assert _methods("write") == set(WRITES) | OWN_TENANT_ONLY


def _owner_view(w: World) -> tuple[Any, ...]:
    s = w.store
    return (s.plans.detail(OWNER, w.plan), s.sites.list_sites(OWNER), s.users.list_users(OWNER),
            s.drivers.list_drivers(OWNER), s.forecasts.list_forecasts(OWNER), s.plans.list_runs(OWNER),
            s.alerts.list_alerts(OWNER, include_acked=True))


@pytest.mark.parametrize("name", sorted(WRITES))
def test_foreign_writes_are_not_found_and_change_nothing(world: World, name: str) -> None:
    before = _owner_view(world)
    with pytest.raises(NotFound):  # same tenant, the site is not the caller's
        WRITES[name](world.store, SAME_TENANT_OTHER_SITE, world)
    try:  # another tenant: "wien" is its own site there, so the write may land, but only in its own data
        WRITES[name](world.store, OTHER_TENANT_SAME_SITE, world)
    except NotFound:
        pass
    assert _owner_view(world) == before


def test_a_foreign_purge_leaves_the_owner_alone(world: World) -> None:
    report = world.store.retention.purge(OTHER_TENANT_SAME_SITE, RetentionPolicy(data_days=-1, log_days=-1), dry_run=True)
    assert world.plan not in report.plans and world.forecast not in report.forecasts
