"""PostgreSQL only: the same schema as the DuckDB file, and the rules the database enforces itself
(row-level security through the application role, the lifecycle, LOCKED immutability, the append-only log)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from helpers import ALICE, WEEK, StepClock, add_forecast, new_forecast, plan_in_state

from storage import ReadOnlyStore, SchemaTooNew, Scope, State, Store
from storage.pg_schema import APP_ROLE, PG_ONLY_TABLES
from storage.schema import CURRENT_VERSION, MIGRATIONS
from storage.scope import CURRENT

ACME = Scope.of("acme", "wien")
OTHER = Scope.of("globex", "wien")


@contextmanager
def as_app(url: str, tenant: str, sites: str) -> Iterator[psycopg.Connection[Any]]:
    """Raw SQL through the application role with a tenant and sites set, as a buggy repository would send it."""
    with psycopg.connect(url) as conn:  # one transaction, rolled back at the end
        conn.execute("SELECT set_config('solvereign.tenant', %s, true), set_config('solvereign.sites', %s, true)",
                     [tenant, sites])
        conn.execute(f"SET LOCAL ROLE {APP_ROLE}")
        yield conn
        conn.rollback()


def refused(url: str, sql: str, match: str, tenant: str = "acme", sites: str = "{wien}") -> None:
    with as_app(url, tenant, sites) as conn, pytest.raises(psycopg.Error, match=match):
        conn.execute(sql)


@pytest.fixture
def two_tenants(pg_url: str) -> tuple[Store, dict[str, int]]:
    """acme/wien and globex/wien, each with a LOCKED and an AUDITED plan of identical content."""
    store = Store(pg_url, clock=StepClock())
    ids: dict[str, int] = {}
    for scope in (ACME, OTHER):
        fc = add_forecast(store, scope)
        ids[f"{scope.tenant}-locked"] = plan_in_state(store, scope, fc, State.LOCKED).id
        ids[f"{scope.tenant}-audited"] = plan_in_state(store, scope, fc, State.AUDITED).id
    return store, ids


def catalog(rows: list[tuple[Any, ...]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


_COLUMNS = ("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = {} "
            "ORDER BY table_name, ordinal_position")
_VIEWS = "SELECT table_name FROM information_schema.views WHERE table_schema = {} AND table_name LIKE 'v_%' ORDER BY table_name"


def test_both_backends_have_the_same_tables_columns_in_order_and_views(pg_url: str, tmp_path: Path) -> None:
    Store(tmp_path / "s.duckdb").init()
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as conn:
        duck = catalog(conn.execute(_COLUMNS.format("'main'")).fetchall())
        duck_views = [r[0] for r in conn.execute(_VIEWS.format("'main'")).fetchall()]
    with psycopg.connect(pg_url) as conn:
        pg = catalog(conn.execute(_COLUMNS.format("current_schema()")).fetchall())
        pg_views = [r[0] for r in conn.execute(_VIEWS.format("current_schema()")).fetchall()]
    for table in PG_ONLY_TABLES:  # the job queue exists only in PostgreSQL
        assert pg.pop(table)
    assert pg == duck  # same tables, same columns in the same order (positional INSERTs rely on it)
    assert pg_views == duck_views == ["v_approvals", "v_driver_weeks", "v_forecasts", "v_runs"]


def test_an_empty_database_is_migrated_and_the_documented_views_answer(pg_cluster: Any, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLVEREIGN_TRUST_DIR", str(tmp_path))
    url = pg_cluster.empty_database()
    store = Store(url, clock=StepClock())
    plan_in_state(store, ACME, add_forecast(store, ACME), State.AUDITED)
    assert store.schema_version() == CURRENT_VERSION
    with psycopg.connect(url) as conn:
        assert [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")] == \
            [m.version for m in MIGRATIONS]  # every migration once, in order
        assert conn.execute("SELECT state, drivers, audits FROM v_runs").fetchall() == [("AUDITED", 5, "7/7")]
        weeks = conn.execute("SELECT driver_id, tours, days FROM v_driver_weeks ORDER BY driver_id").fetchall()
        assert len(weeks) == 5 and sum(w[1] for w in weeks) == 12
        assert conn.execute("SELECT count(*) FROM v_approvals").fetchone() == (5,)
        assert conn.execute("SELECT instances FROM v_forecasts").fetchone() == (12,)


def test_a_newer_database_is_refused_and_read_only_refuses_writes(pg_url: str) -> None:
    store = Store(pg_url, clock=StepClock())
    add_forecast(store, ACME)
    with pytest.raises(ReadOnlyStore):
        Store(pg_url, read_only=True).forecasts.add(ACME, new_forecast(week=WEEK, prefix="X"), ALICE)
    assert len(Store(pg_url, read_only=True).forecasts.list_forecasts(ACME)) == 1
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO schema_version VALUES (%s, 'from the future', now())", [CURRENT_VERSION + 1])
    with pytest.raises(SchemaTooNew, match="newer than this program"):
        Store(pg_url).plans.list_runs(ACME)


def test_rls_hides_and_protects_another_tenants_rows_without_any_where_clause(two_tenants: tuple[Store, dict[str, int]]) -> None:
    store, ids = two_tenants
    url = store._db.url  # type: ignore[attr-defined]
    with as_app(url, "acme", "{wien}") as conn:
        assert {r[0] for r in conn.execute("SELECT tenant_code FROM plans")} == {"acme"}
        for table in ("forecasts", "approvals", "approval_chains", "users", "settings", "sites", "tenants"):
            assert "globex" not in str(conn.execute(f"SELECT * FROM {table}").fetchall()), table
        mine = conn.execute("SELECT count(*) FROM plan_instances").fetchone()[0]
        assert mine == 24  # the instances of acme's two plans only
        assert conn.execute("UPDATE plans SET error_text = 'x' WHERE tenant_code = 'globex'").rowcount == 0
        assert conn.execute("DELETE FROM plan_audits WHERE plan_id = %s", [ids["globex-audited"]]).rowcount == 0
        assert conn.execute("DELETE FROM forecasts WHERE tenant_code = 'globex'").rowcount == 0
    with as_app(url, "acme", "{graz}") as conn:  # the right tenant, another site
        assert conn.execute("SELECT count(*) FROM plans").fetchone() == (0,)
    with as_app(url, "", "{}") as conn:  # no scope set: nothing at all
        assert conn.execute("SELECT count(*) FROM plans").fetchone() == (0,)
    refused(url, "INSERT INTO tenants VALUES ('globex2', 'x', now())", "row-level security")
    refused(url, f"UPDATE plans SET tenant_code = 'globex' WHERE id = {ids['acme-audited']}", "row-level security")
    refused(url, "INSERT INTO settings VALUES ('globex', 'kill_switch', 'true', 'm', now(), 'r', NULL)", "row-level security")
    with psycopg.connect(url) as conn:  # the owner sees that nothing of globex changed
        assert conn.execute("SELECT count(*) FROM plan_audits WHERE plan_id = %s", [ids["globex-audited"]]).fetchone() == (7,)


def test_the_database_refuses_changes_to_locked_plans_illegal_transitions_and_log_edits(
    two_tenants: tuple[Store, dict[str, int]],
) -> None:
    store, ids = two_tenants
    url, locked, audited = store._db.url, ids["acme-locked"], ids["acme-audited"]  # type: ignore[attr-defined]
    refused(url, f"UPDATE plans SET output_hash = 'sha256:x' WHERE id = {locked}", "immutable")
    refused(url, f"UPDATE plans SET state = 'AUDITED', state_version = state_version + 1 WHERE id = {locked}",
            "not a state change of the lifecycle")
    refused(url, f"DELETE FROM plans WHERE id = {locked}", "immutable")
    refused(url, f"UPDATE plan_assignments SET driver_id = 'D999' WHERE plan_id = {locked}", "immutable")
    refused(url, f"DELETE FROM plan_instances WHERE plan_id = {locked}", "immutable")
    refused(url, f"INSERT INTO plan_audits VALUES ({locked}, 9, 'extra', 'PASS', 0, '[]')", "immutable")
    refused(url, f"UPDATE plans SET state = 'LOCKED', state_version = state_version + 1 WHERE id = {audited}",
            "not a state change of the lifecycle")
    refused(url, f"UPDATE plans SET state = 'PUBLISHED' WHERE id = {audited}", "state_version must step")
    refused(url, "UPDATE approvals SET reason = 'forged' WHERE seq = 1", "permission denied")
    refused(url, "DELETE FROM approvals WHERE seq = 1", "append-only")
    refused(url, "INSERT INTO approvals SELECT tenant_code, site_code, 2, plan_id, action, from_state, to_state, actor, role, "
                 "reason, conditions_met, recorded_at, prev_hash, hash, instances_hash, assignments_hash, output_hash, "
                 "real_at, clock_override FROM approvals WHERE seq = 1 AND tenant_code = 'acme'", "duplicate key|end of its chain")
    with as_app(url, "acme", "{wien}") as conn:  # what the program itself does still works
        conn.execute(f"UPDATE plans SET state = 'PUBLISHED', state_version = state_version + 1 WHERE id = {audited}")
    assert store.approvals.verify(ACME).ok


def test_a_repository_bug_writing_into_a_locked_plan_is_refused_in_one_line_and_rolled_back(
    two_tenants: tuple[Store, dict[str, int]],
) -> None:
    from helpers import make_instances

    from storage.errors import StoreError
    from storage.plan_rows import insert_instances

    store, ids = two_tenants
    before = store.plans.detail(ACME, ids["acme-locked"])
    with pytest.raises(StoreError, match="refused the change: new row violates row-level security"):
        with store._db.session(write=True) as tx:  # a write path that forgot its scope sees and writes nothing
            insert_instances(tx, ids["acme-locked"], make_instances(1, prefix="Z"))
    token = CURRENT.set(ACME)
    try:
        with pytest.raises(StoreError, match=r"refused the change: plan \d+ is LOCKED: its plan_instances are immutable"):
            with store._db.session(write=True) as tx:  # what a buggy write path would do, in its scope
                tx.execute("UPDATE plans SET error_text = 'touched' WHERE id = ?", [ids["acme-audited"]])
                insert_instances(tx, ids["acme-locked"], make_instances(1, prefix="Z"))
    finally:
        CURRENT.reset(token)
    assert store.plans.detail(ACME, ids["acme-locked"]) == before
    assert store.plans.get(ACME, ids["acme-audited"]).error_text is None  # the whole transaction rolled back


def test_changed_rules_are_applied_again_when_the_program_opens_the_database(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:  # an older program's rules: a trigger missing, another fingerprint
        conn.execute("DROP TRIGGER append_only ON approvals")
        conn.execute("UPDATE solvereign_security SET fingerprint = 'sha256:older'")
    Store(pg_url, read_only=True).schema_version()  # a read-only open changes nothing
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'append_only' AND tgrelid = 'approvals'::regclass"
                            ).fetchone() == (0,)
    Store(pg_url).schema_version()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'append_only' AND tgrelid = 'approvals'::regclass"
                            ).fetchone() == (1,)
