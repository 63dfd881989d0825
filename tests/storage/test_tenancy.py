"""Tenants, sites, users, settings (kill switch) and driver master data."""

from __future__ import annotations

import pytest
from helpers import ALICE, SYSTEM

from engine.models import DriverSpec
from storage import Conflict, InvalidInput, NotFound, Scope, Store
from storage.repo_drivers import as_spec


def test_site_gate_keeps_who_when_why(store: Store, scope: Scope) -> None:
    site = store.sites.upsert(scope, "wien", name="Wien Süd", enabled=False, actor=SYSTEM)
    assert (site.name, site.enabled) == ("Wien Süd", False)
    on = store.sites.set_enabled(scope, "wien", True, actor=ALICE, reason="pilot goes live")
    assert (on.enabled, on.updated_by, on.reason) == (True, "alice", "pilot goes live") and on.updated_at > site.updated_at
    with pytest.raises(InvalidInput):
        store.sites.set_enabled(scope, "wien", False, actor=ALICE, reason="")
    with pytest.raises(NotFound):
        store.sites.set_enabled(scope, "graz", True, actor=ALICE, reason="never registered")
    assert [s.code for s in store.sites.list_sites(scope)] == ["wien"]


def test_users_identify_and_scope(store: Store, scope: Scope) -> None:
    alice = store.users.upsert(scope, "alice", name="Alice", email="a@x.at", role="dispatcher", sites=["wien"], actor=SYSTEM)
    assert store.users.identify("alice") == alice and store.users.identify("nobody") is None
    assert alice.sites == ("wien",) and alice.tenant == "acme"
    changed = store.users.upsert(scope, "alice", name="Alice", email="a@x.at", role="ops_lead", sites=["wien", "graz"], actor=SYSTEM)
    assert changed.role == "ops_lead" and changed.sites == ("graz", "wien")
    with pytest.raises(InvalidInput):
        store.users.upsert(scope, "bob", name="B", email="b", role="emperor", sites=["wien"], actor=SYSTEM)  # type: ignore[arg-type]
    with pytest.raises(Conflict):  # a login of another tenant is taken, not overwritten
        store.users.upsert(Scope.of("other", "wien"), "alice", name="A2", email="x", role="viewer", sites=["wien"], actor=SYSTEM)
    with pytest.raises(Conflict):  # nor may a caller take over a user of sites outside its scope
        store.users.upsert(Scope.of("acme", "wien"), "alice", name="A", email="x", role="viewer", sites=["wien"], actor=SYSTEM)
    assert [u.login for u in store.users.list_users(Scope.of("acme", "graz"))] == ["alice"]


def test_kill_switch_records_who_when_why(store: Store, scope: Scope) -> None:
    assert not store.settings.kill_switch(scope).on
    on = store.settings.set_kill_switch(scope, True, actor=ALICE, reason="incident 4711")
    assert store.settings.kill_switch(scope) == on and (on.on, on.set_by, on.reason) == (True, "alice", "incident 4711")
    store.settings.set_kill_switch(scope, False, actor=SYSTEM, reason="incident closed")
    assert [h.value for h in store.settings.history(scope, "kill_switch")] == [False, True]
    with pytest.raises(InvalidInput):
        store.settings.set_kill_switch(scope, True, actor=ALICE, reason="")
    assert not store.settings.kill_switch(Scope.of("other", "wien")).on


def test_driver_master_data_round_trips(store: Store, scope: Scope) -> None:
    spec = DriverSpec(external_id="D-7", name="Eva", skills=("standard", "cooled"), max_hours_week=40, contract_type="part_time",
                      unavailable_days=(6, 7))
    assert store.drivers.upsert_many(scope, "wien", [spec, DriverSpec(external_id="D-8")], ALICE) == 2
    assert store.drivers.upsert_many(scope, "wien", [spec.model_copy(update={"name": "Eva M."})], ALICE) == 1
    rec = store.drivers.get(scope, "wien", "D-7")
    assert rec.name == "Eva M." and as_spec(rec) == spec.model_copy(update={"name": "Eva M."})
    assert [d.external_id for d in store.drivers.list_drivers(scope, "wien")] == ["D-7", "D-8"]
