"""Schema versioning, read-only mode, and the busy-file behaviour with real second processes."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import duckdb
import pytest
from helpers import ALICE, SYSTEM, FileHolder, add_forecast, make_result, new_forecast, plan_in_state

from engine.models import DriverSpec
from storage.repo_alerts import NewAlert
from storage import (
    NewPlan,
    ReadOnlyStore,
    RetentionPolicy,
    SchemaTooNew,
    SchemaTooOld,
    Scope,
    State,
    Store,
    StoreBusy,
    StoreError,
    StoreMissing,
)
from storage import schema as schema_module
from storage.models import VersionExtras
from storage.schema import CURRENT_VERSION, Migration

pytestmark = pytest.mark.duckdb_file


def test_a_new_file_gets_the_current_schema_and_documented_views(store: Store, scope: Scope) -> None:
    assert store.schema_version() == CURRENT_VERSION
    plan_in_state(store, scope, add_forecast(store, scope), State.AUDITED)
    with duckdb.connect(store.path, read_only=True) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (CURRENT_VERSION,)
        assert conn.execute("SELECT state, drivers, audits FROM v_runs").fetchall() == [("AUDITED", 5, "7/7")]
        weeks = conn.execute("SELECT driver_id, tours, days FROM v_driver_weeks ORDER BY driver_id").fetchall()
        assert len(weeks) == 5 and sum(w[1] for w in weeks) == 12
        assert conn.execute("SELECT count(*) FROM v_approvals").fetchone() == (5,)
        assert conn.execute("SELECT instances FROM v_forecasts").fetchone() == (12,)


def test_a_newer_file_is_refused_in_both_modes(store: Store, scope: Scope) -> None:
    with duckdb.connect(store.path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, 'from the future', now())", [CURRENT_VERSION + 1])
    for s in (Store(store.path), Store(store.path, read_only=True), store):
        with pytest.raises(SchemaTooNew, match="newer than this program"):
            s.plans.list_runs(scope)
    with pytest.raises(SchemaTooNew):
        store.forecasts.add(scope, new_forecast(), ALICE)


def test_a_foreign_duckdb_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(StoreError, match="not a roster cockpit store"):
        Store(path).init()


def test_migrations_run_on_open_and_are_recorded(store: Store, scope: Scope, monkeypatch: pytest.MonkeyPatch) -> None:
    add_forecast(store, scope)
    newer = (*schema_module.MIGRATIONS, Migration(CURRENT_VERSION + 1, "add a note column", ("ALTER TABLE plans ADD COLUMN note VARCHAR",)))
    monkeypatch.setattr(schema_module, "MIGRATIONS", newer)
    monkeypatch.setattr(schema_module, "CURRENT_VERSION", CURRENT_VERSION + 1)
    with pytest.raises(SchemaTooOld, match="without --read-only"):
        Store(store.path, read_only=True).plans.list_runs(scope)
    upgraded = Store(store.path)
    assert len(upgraded.forecasts.list_forecasts(scope)) == 1  # data kept
    assert upgraded.schema_version() == CURRENT_VERSION + 1
    with duckdb.connect(store.path, read_only=True) as conn:
        rows = conn.execute("SELECT version, description FROM schema_version ORDER BY version").fetchall()
        assert rows[-1] == (CURRENT_VERSION + 1, "add a note column")
        assert "note" in [c[0] for c in conn.execute("DESCRIBE plans").fetchall()]


# --- read-only mode -------------------------------------------------------------------


def _fingerprint(path: str) -> tuple[str, float, bool]:
    data = Path(path).read_bytes()
    return hashlib.sha256(data).hexdigest(), Path(path).stat().st_mtime, Path(path + ".wal").exists()


def test_read_only_never_creates_a_file(tmp_path: Path, scope: Scope) -> None:
    path = tmp_path / "absent.duckdb"
    with pytest.raises(StoreMissing):
        Store(path, read_only=True).plans.list_runs(scope)
    assert not path.exists()


def test_read_only_refuses_every_write_and_leaves_the_file_untouched(store: Store, scope: Scope, clock: object) -> None:
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.AUDITED)
    ro = Store(store.path, read_only=True, clock=clock)  # type: ignore[arg-type]
    before = _fingerprint(store.path)
    writes = {
        "tenants.ensure": lambda: ro.tenants.ensure(scope, "Acme"),
        "sites.upsert": lambda: ro.sites.upsert(scope, "wien", name="Wien", enabled=True, actor=ALICE),
        "sites.set_enabled": lambda: ro.sites.set_enabled(scope, "wien", True, actor=ALICE, reason="go live now"),
        "sites.create": lambda: ro.sites.create(scope, "graz", enabled=True, actor=ALICE, reason="a new depot"),
        "plans.heartbeat": lambda: ro.plans.heartbeat(scope, plan.id),
        "users.upsert": lambda: ro.users.upsert(scope, "bob", name="Bob", email="b@x", role="viewer", sites=["wien"], actor=ALICE),
        "settings.put": lambda: ro.settings.put(scope, "x", 1, actor=ALICE, reason="why not"),
        "settings.set_kill_switch": lambda: ro.settings.set_kill_switch(scope, True, actor=ALICE, reason="incident"),
        "forecasts.add": lambda: ro.forecasts.add(scope, new_forecast(prefix="RO"), ALICE),
        "plans.create": lambda: ro.plans.create(scope, NewPlan(forecast_id=plan.forecast_id), ALICE),
        "plans.save": lambda: ro.plans.save(scope, NewPlan(forecast_id=plan.forecast_id), make_result([]), ALICE),
        "plans.record_result": lambda: ro.plans.record_result(scope, plan.id, plan.state_version, make_result([]), ALICE),
        "plans.record_audits": lambda: ro.plans.record_audits(scope, plan.id, plan.state_version, [], ALICE),
        "plans.transition": lambda: ro.plans.transition(scope, plan.id, "publish", expected_version=plan.state_version,
                                                        actor=ALICE, reason="weekly approval"),
        "plans.fail": lambda: ro.plans.fail(scope, plan.id, plan.state_version, "x", SYSTEM),
        "drivers.upsert_many": lambda: ro.drivers.upsert_many(scope, "wien", [DriverSpec(external_id="D1")], ALICE),
        "drivers.remove": lambda: ro.drivers.remove(scope, "wien", "D1", ALICE, "left the company"),
        "retention.purge": lambda: ro.retention.purge(scope, dry_run=False),
        "plans.save_version": lambda: ro.plans.save_version(
            scope, NewPlan(forecast_id=plan.forecast_id, kind="edit", parent_plan_id=plan.id), make_result([]), ALICE, VersionExtras()),
        "pins.set": lambda: ro.pins.set(scope, plan.id, "x", pinned=True, actor=ALICE, reason="keep it"),
        "gdpr.request": lambda: ro.gdpr.request(scope, "wien", "D1", ALICE, "erasure request"),
        "gdpr.execute": lambda: ro.gdpr.execute(scope, "wien", "D1", 1, ALICE),
        "outbox.enqueue": lambda: ro.outbox.enqueue(scope, []),
        "outbox.record_attempt": lambda: ro.outbox.record_attempt(scope, "k", error=None, next_attempt_at=None),
        "evidence.record": lambda: ro.evidence.record(scope, plan.id, "/evidence/p.zip", "sha256:0", 1, ALICE),
        "api_keys.add": lambda: ro.api_keys.add(scope, "alice", "0" * 64, ALICE),
        "alerts.raise_alert": lambda: ro.alerts.raise_alert(scope, NewAlert(site="wien", severity="S2", kind="k", subject="s", message="m")),
        "alerts.ack": lambda: ro.alerts.ack(scope, 1, ALICE, "seen and handled"),
        "alerts.record_delivery": lambda: ro.alerts.record_delivery(scope, 1, error=None),
        "alerts.record_handoff": lambda: ro.alerts.record_handoff(scope, "shift", ALICE),
    }
    from test_isolation import _methods

    assert set(writes) == _methods("write")
    for name, call in writes.items():
        with pytest.raises(ReadOnlyStore):
            call()
    # every read works, and a dry-run purge too
    assert ro.plans.detail(scope, plan.id).summary == plan
    assert ro.retention.purge(scope, RetentionPolicy(), dry_run=True).plans == ()
    assert ro.approvals.verify(scope).ok
    assert _fingerprint(store.path) == before


def test_read_only_shares_the_file_with_other_readers(store: Store, scope: Scope) -> None:
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.SOLVED)
    with FileHolder(store.path, "ro") as holder:  # a reader elsewhere: read-only opens coexist with it
        assert Store(store.path, read_only=True).plans.get(scope, plan.id) == plan
        assert store.plans.get(scope, plan.id) == plan  # normal mode reads read-only too
        writer = Store(store.path, busy_timeout=0.5)
        with pytest.raises(StoreBusy) as err:  # a write needs the file exclusively
            writer.plans.transition(scope, plan.id, "audit", expected_version=plan.state_version, actor=ALICE)
        assert err.value.holder_pid == holder.pid and f"PID {holder.pid}" in str(err.value)
    assert store.plans.get(scope, plan.id) == plan


def test_the_first_read_of_a_current_file_takes_no_write_lock(store: Store, scope: Scope) -> None:
    """A cockpit opening (a fresh Store) while another process reads: it must not need the file exclusively."""
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.SOLVED)
    with FileHolder(store.path, "ro"):
        fresh = Store(store.path, busy_timeout=0.5)
        assert fresh.plans.get(scope, plan.id) == plan


def test_a_snapshot_shares_one_transaction_between_reads_and_refuses_writes(store: Store, scope: Scope) -> None:
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.AUDITED)
    outside = (store.plans.list_runs(scope), store.plans.detail(scope, plan.id), store.approvals.for_plan(scope, plan.id))
    with store.snapshot():
        inside = (store.plans.list_runs(scope), store.plans.detail(scope, plan.id), store.approvals.for_plan(scope, plan.id))
        with pytest.raises(RuntimeError, match="no writes inside a read snapshot"):
            store.plans.transition(scope, plan.id, "approve", expected_version=plan.state_version, actor=ALICE,
                                   reason="first approval")
        with FileHolder(store.path, "ro"):  # the snapshot holds the file read-only: other readers coexist
            pass
    assert inside == outside
    # after the block, writes go through again
    result = store.plans.transition(scope, plan.id, "approve", expected_version=plan.state_version, actor=ALICE,
                                    reason="first approval")
    assert result.plan.state_version == plan.state_version + 1


def test_a_snapshot_holds_the_file_for_its_whole_block(store: Store, scope: Scope) -> None:
    """One attach for the whole block: a writer in another process waits until the block ends."""
    add_forecast(store, scope)
    code = (
        "import sys, duckdb\n"
        "try:\n"
        "    duckdb.connect(sys.argv[1]).close(); print('opened')\n"
        "except duckdb.Error as exc:\n"
        "    print('busy' if 'lock' in str(exc).lower() else repr(exc))\n"
    )
    import subprocess
    import sys

    with store.snapshot():
        store.plans.list_runs(scope)
        during = subprocess.run([sys.executable, "-c", code, store.path], capture_output=True, text=True, check=True)
    after = subprocess.run([sys.executable, "-c", code, store.path], capture_output=True, text=True, check=True)
    assert during.stdout.strip() == "busy" and after.stdout.strip() == "opened"


# --- busy file ------------------------------------------------------------------------


def test_a_busy_file_is_retried_until_the_holder_lets_go(store: Store, scope: Scope) -> None:
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.AUDITED)
    holder = FileHolder(store.path, "rw")
    timer = threading.Timer(0.8, holder.release)
    timer.start()
    started = time.monotonic()
    try:
        result = store.plans.transition(scope, plan.id, "approve", expected_version=plan.state_version,
                                        actor=ALICE, reason="first approval")
    finally:
        timer.join()
    assert result.plan.state_version == plan.state_version + 1
    assert time.monotonic() - started >= 0.5


def test_a_file_busy_for_too_long_gives_one_clear_error_naming_the_holder(store: Store, scope: Scope) -> None:
    add_forecast(store, scope)
    impatient = Store(store.path, busy_timeout=0.6)
    with FileHolder(store.path, "rw") as holder:
        for call in (lambda: impatient.plans.list_runs(scope), lambda: impatient.tenants.ensure(scope)):
            started = time.monotonic()
            with pytest.raises(StoreBusy) as err:
                call()
            assert 0.5 <= time.monotonic() - started < 3
            message = str(err.value)
            assert "busy" in message and f"PID {holder.pid}" in message and "\n" not in message
            assert err.value.exit_code == 1


# --- copies for drills ----------------------------------------------------------------


def test_copy_to_makes_an_independent_consistent_copy(store: Store, scope: Scope, tmp_path: Path) -> None:
    plan = plan_in_state(store, scope, add_forecast(store, scope), State.LOCKED)
    copy = Store(store.copy_to(tmp_path / "drill.duckdb"))
    assert copy.plans.detail(scope, plan.id) == store.plans.detail(scope, plan.id)
    assert copy.approvals.verify(scope).ok
    again = copy.plans.create(scope, NewPlan(forecast_id=plan.forecast_id), ALICE)  # sequences were copied too
    assert again.id == plan.id + 1 and store.plans.list_runs(scope) == [plan]
    with pytest.raises(StoreError):
        store.copy_to(tmp_path / "drill.duckdb")


def test_another_connection_in_this_process_counts_as_busy(store: Store, scope: Scope) -> None:
    import os

    impatient = Store(store.path, busy_timeout=0.3)
    with duckdb.connect(store.path):
        with pytest.raises(StoreBusy) as err:
            impatient.plans.list_runs(scope)
    assert err.value.holder_pid == os.getpid()
    assert impatient.plans.list_runs(scope) == []


def test_threads_of_one_process_share_a_store(store: Store, scope: Scope) -> None:
    """The TUI calls the store from worker threads: calls are serialised, none is lost."""
    from storage import StaleVersion

    plan = plan_in_state(store, scope, add_forecast(store, scope), State.AUDITED)
    done: list[int] = []
    errors: list[BaseException] = []

    def approve(k: int) -> None:
        for _ in range(8):
            try:
                v = store.plans.get(scope, plan.id).state_version
                store.plans.transition(scope, plan.id, "approve", expected_version=v, actor=ALICE, reason=f"thread {k}")
                done.append(k)
            except StaleVersion:
                pass
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=approve, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.plans.get(scope, plan.id).state_version == plan.state_version + len(done)
