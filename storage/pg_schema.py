"""The schema of storage/schema.py on PostgreSQL, plus what only PostgreSQL enforces.

Tables and views come from the same `MIGRATIONS` as the DuckDB file (translated by `pg_sql.ddl`);
a test compares both catalogs. After the migrations, `secure()` (re)applies, idempotently:

* the application role `solvereign_app` (not the owner; every store transaction runs as it via
  `SET LOCAL ROLE`), with the privileges it needs and no UPDATE on the append-only tables;
* row-level security on every table, derived from its columns: `tenant_code` + `site_code` → the
  transaction's tenant and sites, `tenant_code` alone → its tenant, `plan_id` alone → a plan it
  can see (the settings `solvereign.tenant`, `solvereign.sites`, `solvereign.system`, set per
  transaction by storage/pg.py);
* triggers for the state machine (only the changes of `lifecycle.STATE_CHANGES`, one version step each),
  LOCKED/SUPERSEDED immutability of a plan and its rows, and the approval log as append-only (no UPDATE,
  DELETE only inside a retention purge, a new record only at the chain's end).

A new migration needs nothing here: a new table gets its policy from its columns.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.errors import SchemaTooNew, SchemaTooOld, StoreError
from storage.lifecycle import IMMUTABLE, STATE_CHANGES
from storage.pg_queue import ADDED as JOBS_ADDED
from storage.pg_queue import TABLE as JOBS_TABLE
from storage.pg_sql import ddl
from storage.schema import _VERSION_TABLE, CURRENT_VERSION, MIGRATIONS

APP_ROLE = "solvereign_app"
MIGRATION_LOCK = 7_316_001  # pg_advisory_xact_lock keys of this program
WRITE_LOCK = 7_316_002
# tables only PostgreSQL has (idempotent): the solve job queue (storage/pg_queue.py), and which version of
# this module's rules the database holds
PG_ONLY = (JOBS_TABLE, *JOBS_ADDED, "CREATE TABLE IF NOT EXISTS solvereign_security (fingerprint TEXT NOT NULL)")
PG_ONLY_TABLES = ("solve_jobs", "solvereign_security")
FINGERPRINT = "sha256:" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
APPEND_ONLY = ("approvals", "approval_tombstones", "settings_log", "schema_version", "solvereign_security")

SYSTEM = "coalesce(current_setting('solvereign.system', true), '') = 'on'"
TENANT = "current_setting('solvereign.tenant', true)"
SITES = "coalesce(nullif(current_setting('solvereign.sites', true), ''), '{}')::text[]"
PURGING = "coalesce(current_setting('solvereign.purge', true), '') = 'on'"


def read_version(conn: Any) -> int:
    """Applied schema version; 0 for an empty database. Refuses somebody else's database."""
    if conn.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchone()[0]
        if tables:
            raise StoreError("this database is not a roster cockpit store (it has tables but no schema_version)")
        return 0
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])


def ensure_current(conn: Any, where: str, *, writable: bool, now: datetime) -> None:
    """Migrate an older database inside one owner transaction (serialised by an advisory lock); also re-apply
    `secure()` when this module changed since it last ran on the database (a new program with new rules)."""
    version = read_version(conn)
    if version > CURRENT_VERSION:
        raise SchemaTooNew(
            f"store {where} has schema version {version}, newer than this program understands ({CURRENT_VERSION}); "
            "upgrade the program before opening it"
        )
    if version == CURRENT_VERSION and (not writable or _fingerprint_of(conn) == FINGERPRINT):
        return
    if not writable:
        raise SchemaTooOld(f"store {where} has schema version {version} and needs an upgrade to {CURRENT_VERSION}; "
                           "open it once without --read-only")
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        version = read_version(conn)  # another process may have migrated meanwhile
        if version == 0:
            conn.execute(_VERSION_TABLE)
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            for statement in migration.statements:
                conn.execute(ddl(statement))
            conn.execute("INSERT INTO schema_version VALUES (%s, %s, %s)", [migration.version, migration.description, now])
        for statement in PG_ONLY:
            conn.execute(statement)
        secure(conn)
        conn.execute("DELETE FROM solvereign_security")
        conn.execute("INSERT INTO solvereign_security VALUES (%s)", [FINGERPRINT])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _fingerprint_of(conn: Any) -> str | None:
    if conn.execute("SELECT to_regclass('solvereign_security')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT fingerprint FROM solvereign_security").fetchone()
    return None if row is None else str(row[0])


def secure(conn: Any) -> None:
    """Role, privileges, row-level security and triggers for every table (idempotent)."""
    conn.execute(f"""DO $$ BEGIN
        CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")
    conn.execute(f"""DO $$ BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN GRANT {APP_ROLE} TO current_user; END IF;
        END $$""")
    conn.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    conn.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")  # UPDATE: setval (store copy)
    conn.execute(f"REVOKE UPDATE ON {', '.join(APPEND_ONLY)} FROM {APP_ROLE}")
    conn.execute(f"REVOKE INSERT, DELETE ON schema_version, solvereign_security FROM {APP_ROLE}")
    columns: dict[str, set[str]] = {}
    for table, column in conn.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t "
        "USING (table_schema, table_name) WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    for table, cols in sorted(columns.items()):
        rule = policy(table, cols)
        if rule is None:
            continue
        conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        conn.execute(f"DROP POLICY IF EXISTS scope ON {table}")
        conn.execute(f"CREATE POLICY scope ON {table} TO {APP_ROLE} USING ({rule}) WITH CHECK ({rule})")
    for statement in _TRIGGERS:
        conn.execute(statement)


def policy(table: str, cols: set[str]) -> str | None:
    """Which rows of `table` a transaction may see and write, from the table's columns."""
    if table in ("schema_version", "solvereign_security"):  # no tenant data; the app role may only read them
        return None
    if table == "tenants":
        return f"{SYSTEM} OR code = {TENANT}"
    if table == "sites":
        return f"{SYSTEM} OR (tenant_code = {TENANT} AND code = ANY ({SITES}))"
    if {"tenant_code", "site_code"} <= cols:
        return f"{SYSTEM} OR (tenant_code = {TENANT} AND site_code = ANY ({SITES}))"
    if "tenant_code" in cols:
        return f"{SYSTEM} OR tenant_code = {TENANT}"
    if "plan_id" in cols:
        return f"{SYSTEM} OR EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_id)"
    raise StoreError(f"table {table} has no tenant_code, site_code or plan_id: say who may see its rows (storage/pg_schema.py)")


_CHANGES = ", ".join(f"('{a.value}', '{b.value}')" for a, b in sorted(STATE_CHANGES))
_FROZEN = ", ".join(f"'{s.value}'" for s in sorted(IMMUTABLE))
_CONTENT = ("tenant_code", "site_code", "week_anchor", "forecast_id", "version", "kind", "seed", "output_hash",
            "instance_count", "assigned_count", "driver_count", "audits_passed", "audits_total", "kpis::text",
            "lower_bound::text", "timings::text", "locked_at", "created_at")
_SAME_CONTENT = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _CONTENT)

_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION solvereign_plan_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF OLD.state IN ({_FROZEN}) AND NOT (NEW.state <> OLD.state AND {_SAME_CONTENT}) THEN
            RAISE EXCEPTION 'plan % is %: it is immutable', OLD.id, OLD.state USING ERRCODE = 'P0001';
        END IF;
        IF NEW.state <> OLD.state AND (OLD.state, NEW.state) NOT IN ({_CHANGES}) THEN
            RAISE EXCEPTION 'plan %: % to % is not a state change of the lifecycle', OLD.id, OLD.state, NEW.state
                USING ERRCODE = 'P0001';
        END IF;
        IF NEW.state_version <> OLD.state_version AND NEW.state_version <> OLD.state_version + 1
           OR NEW.state <> OLD.state AND NEW.state_version <> OLD.state_version + 1 THEN
            RAISE EXCEPTION 'plan %: state_version must step by one with each change', OLD.id USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW; END $$""",
    f"""CREATE OR REPLACE FUNCTION solvereign_plan_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF OLD.state IN ({_FROZEN}) AND NOT {PURGING} THEN
            RAISE EXCEPTION 'plan % is %: it is immutable (only a retention purge removes it)', OLD.id, OLD.state
                USING ERRCODE = 'P0001';
        END IF;
        RETURN OLD; END $$""",
    f"""CREATE OR REPLACE FUNCTION solvereign_plan_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE row_plan BIGINT; frozen TEXT; BEGIN
        row_plan := CASE WHEN TG_OP = 'DELETE' THEN OLD.plan_id ELSE NEW.plan_id END;
        SELECT state INTO frozen FROM plans WHERE id = row_plan AND state IN ({_FROZEN});
        IF frozen IS NOT NULL AND NOT (TG_OP = 'DELETE' AND {PURGING}) THEN
            RAISE EXCEPTION 'plan % is %: its % are immutable', row_plan, frozen, TG_TABLE_NAME USING ERRCODE = 'P0001';
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.plan_id <> NEW.plan_id THEN
            SELECT state INTO frozen FROM plans WHERE id = OLD.plan_id AND state IN ({_FROZEN});
            IF frozen IS NOT NULL THEN
                RAISE EXCEPTION 'plan % is %: its % are immutable', OLD.plan_id, frozen, TG_TABLE_NAME USING ERRCODE = 'P0001';
            END IF;
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END $$""",
    f"""CREATE OR REPLACE FUNCTION solvereign_approval_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'approval records are append-only (% #%)', TG_TABLE_NAME, OLD.seq USING ERRCODE = 'P0001';
        END IF;
        IF TG_OP = 'DELETE' THEN
            IF NOT {PURGING} THEN
                RAISE EXCEPTION 'approval records are append-only (% #%): only a retention purge removes them',
                    TG_TABLE_NAME, OLD.seq USING ERRCODE = 'P0001';
            END IF;
            RETURN OLD;
        END IF;
        IF EXISTS (SELECT 1 FROM approvals WHERE tenant_code = NEW.tenant_code AND site_code = NEW.site_code
                   AND seq >= NEW.seq) THEN
            RAISE EXCEPTION 'approval record #% of %/% is not at the end of its chain', NEW.seq, NEW.tenant_code,
                NEW.site_code USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW; END $$""",
    "CREATE OR REPLACE TRIGGER plan_update BEFORE UPDATE ON plans FOR EACH ROW EXECUTE FUNCTION solvereign_plan_update()",
    "CREATE OR REPLACE TRIGGER plan_delete BEFORE DELETE ON plans FOR EACH ROW EXECUTE FUNCTION solvereign_plan_delete()",
    *(f"CREATE OR REPLACE TRIGGER plan_rows BEFORE INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW "
      "EXECUTE FUNCTION solvereign_plan_rows()" for t in ("plan_instances", "plan_assignments", "plan_audits")),
    "CREATE OR REPLACE TRIGGER append_only BEFORE INSERT OR UPDATE OR DELETE ON approvals FOR EACH ROW "
    "EXECUTE FUNCTION solvereign_approval_guard()",
    "CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE ON approval_tombstones FOR EACH ROW "
    "EXECUTE FUNCTION solvereign_approval_guard()",
)
