"""The driver roster in the store: contact data, removal with its log, the v1 → v2 migration."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from helpers import ALICE, raw

from engine.models import DriverSpec
from storage import Scope, Store
from storage.errors import NotFound
from storage.repo_drivers import as_spec
from storage.schema import _VERSION_TABLE, MIGRATIONS

EVA = DriverSpec(external_id="D-7", name="Eva", skills=("standard", "cooled"), max_hours_week=40, contract_type="part_time",
                 unavailable_days=(6, 7), email="eva@example.at", phone="+43 660 1234567", preferred_channel="sms")


def test_contact_fields_round_trip(store: Store, scope: Scope) -> None:
    store.drivers.upsert_many(scope, "wien", [EVA, DriverSpec(external_id="D-8")], ALICE)
    rec = store.drivers.get(scope, "wien", "D-7")
    assert (rec.email, rec.phone, rec.preferred_channel) == ("eva@example.at", "+43 660 1234567", "sms")
    assert as_spec(rec) == EVA
    bare = store.drivers.get(scope, "wien", "D-8")
    assert (bare.email, bare.phone, bare.preferred_channel) == (None, None, None)


def test_remove_deletes_the_driver_and_logs_who_and_why(store: Store, scope: Scope) -> None:
    store.drivers.upsert_many(scope, "wien", [EVA, DriverSpec(external_id="D-8")], ALICE)
    removed = store.drivers.remove(scope, "wien", "D-7", ALICE, "left the company in May")
    assert removed.name == "Eva"
    assert [d.external_id for d in store.drivers.list_drivers(scope, "wien")] == ["D-8"]
    with pytest.raises(NotFound, match="driver D-7 not found"):
        store.drivers.get(scope, "wien", "D-7")
    with pytest.raises(NotFound, match="driver D-7 not found"):  # a second removal changes nothing
        store.drivers.remove(scope, "wien", "D-7", ALICE, "left the company in May")
    with raw(store) as conn:
        rows = conn.execute("SELECT site_code, external_id, name, removed_by, reason FROM driver_removals").fetchall()
    assert rows == [("wien", "D-7", "Eva", "alice", "left the company in May")]


def test_remove_of_another_site_is_not_found(store: Store, scope: Scope) -> None:
    store.drivers.upsert_many(scope, "wien", [EVA], ALICE)
    with pytest.raises(NotFound):
        store.drivers.remove(scope, "graz", "D-7", ALICE, "wrong site entirely")
    assert store.drivers.get(scope, "wien", "D-7").name == "Eva"


def test_a_version_1_store_gains_the_contact_columns_and_keeps_its_drivers(tmp_path: Path, scope: Scope) -> None:
    path = tmp_path / "v1.duckdb"
    with duckdb.connect(str(path)) as conn:  # the file as the first release wrote it
        conn.execute(_VERSION_TABLE)
        for statement in MIGRATIONS[0].statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (1, 'initial', ?)", [datetime(2026, 1, 1)])
        conn.execute(
            "INSERT INTO drivers VALUES ('acme', 'wien', 'OLD-1', 'Olga', ['standard'], 'nord', 38.5, 'part_time', [7], 'admin', ?)",
            [datetime(2026, 1, 1)],
        )
    store = Store(path)
    rec = store.drivers.get(scope, "wien", "OLD-1")
    assert (rec.name, rec.max_hours_week, rec.unavailable_days, rec.email, rec.preferred_channel) == ("Olga", 38.5, (7,), None, None)
    assert store.schema_version() == MIGRATIONS[-1].version
    store.drivers.upsert_many(scope, "wien", [EVA], ALICE)
    assert store.drivers.get(scope, "wien", "D-7").email == "eva@example.at"
