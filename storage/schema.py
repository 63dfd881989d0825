"""Schema and migrations.

Migrations run in order inside the opening write transaction and are recorded in
`schema_version`. A file whose version is newer than `CURRENT_VERSION` is refused;
read-only opens never migrate. Operator views (`v_*`) are part of the schema and
documented in storage/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from engine.rules import DEFAULT_CONFIG  # the full-time line (SPEC §4), defined once
from storage.errors import SchemaTooNew, SchemaTooOld, StoreError


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_V1_TABLES = (
    """CREATE TABLE tenants (
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE sites (
        tenant_code VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        enabled BOOLEAN NOT NULL,
        reason VARCHAR NOT NULL,
        updated_by VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant_code, code))""",
    """CREATE TABLE users (
        login VARCHAR PRIMARY KEY,
        tenant_code VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        email VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        sites VARCHAR[] NOT NULL,
        active BOOLEAN NOT NULL,
        updated_by VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE settings (
        tenant_code VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        value JSON NOT NULL,
        set_by VARCHAR NOT NULL,
        set_at TIMESTAMP NOT NULL,
        reason VARCHAR NOT NULL,
        PRIMARY KEY (tenant_code, key))""",
    """CREATE TABLE settings_log (
        tenant_code VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        value JSON NOT NULL,
        set_by VARCHAR NOT NULL,
        set_at TIMESTAMP NOT NULL,
        reason VARCHAR NOT NULL)""",
    "CREATE SEQUENCE forecast_ids START 1",
    """CREATE TABLE forecasts (
        id BIGINT PRIMARY KEY,
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        week_anchor DATE NOT NULL,
        source_format VARCHAR NOT NULL,
        source_name VARCHAR NOT NULL,
        raw_bytes BLOB,
        canonical_json VARCHAR,
        input_hash VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        findings JSON NOT NULL,
        instance_count INTEGER NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        UNIQUE (tenant_code, site_code, input_hash))""",
    "CREATE SEQUENCE plan_ids START 1",
    """CREATE TABLE plans (
        id BIGINT PRIMARY KEY,
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        week_anchor DATE NOT NULL,
        forecast_id BIGINT NOT NULL,
        version INTEGER NOT NULL,
        parent_plan_id BIGINT,
        kind VARCHAR NOT NULL,
        seed BIGINT NOT NULL,
        solver_config_hash VARCHAR NOT NULL,
        state VARCHAR NOT NULL,
        state_version INTEGER NOT NULL,
        output_hash VARCHAR,
        instance_count INTEGER NOT NULL,
        assigned_count INTEGER NOT NULL,
        driver_count INTEGER NOT NULL,
        audits_passed INTEGER NOT NULL,
        audits_total INTEGER NOT NULL,
        kpis JSON NOT NULL,
        lower_bound JSON NOT NULL,
        timings JSON NOT NULL,
        error_text VARCHAR,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        locked_at TIMESTAMP,
        UNIQUE (tenant_code, site_code, week_anchor, version))""",
    """CREATE TABLE plan_instances (
        plan_id BIGINT NOT NULL,
        instance_id VARCHAR NOT NULL,
        external_id VARCHAR NOT NULL,
        instance_no INTEGER NOT NULL,
        day INTEGER NOT NULL,
        start_min INTEGER NOT NULL,
        end_min INTEGER NOT NULL,
        segments INTEGER[][] NOT NULL,
        work_minutes INTEGER NOT NULL,
        depot VARCHAR NOT NULL,
        skill VARCHAR NOT NULL,
        priority INTEGER NOT NULL,
        PRIMARY KEY (plan_id, instance_id))""",
    """CREATE TABLE plan_assignments (
        plan_id BIGINT NOT NULL,
        instance_id VARCHAR NOT NULL,
        driver_id VARCHAR NOT NULL,
        PRIMARY KEY (plan_id, instance_id))""",
    """CREATE TABLE plan_audits (
        plan_id BIGINT NOT NULL,
        position INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        violations INTEGER NOT NULL,
        rows JSON NOT NULL,
        PRIMARY KEY (plan_id, name))""",
    """CREATE TABLE approvals (
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        seq BIGINT NOT NULL,
        plan_id BIGINT NOT NULL,
        action VARCHAR NOT NULL,
        from_state VARCHAR,
        to_state VARCHAR NOT NULL,
        actor VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        conditions_met VARCHAR[] NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        prev_hash VARCHAR NOT NULL,
        hash VARCHAR NOT NULL,
        PRIMARY KEY (tenant_code, site_code, seq))""",
    """CREATE TABLE approval_chains (
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        head_seq BIGINT NOT NULL,
        head_hash VARCHAR NOT NULL,
        anchor_seq BIGINT NOT NULL,
        anchor_hash VARCHAR NOT NULL,
        PRIMARY KEY (tenant_code, site_code))""",
    """CREATE TABLE drivers (
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        external_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        skills VARCHAR[] NOT NULL,
        depot VARCHAR NOT NULL,
        max_hours_week DOUBLE NOT NULL,
        contract_type VARCHAR NOT NULL,
        unavailable_days INTEGER[] NOT NULL,
        updated_by VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant_code, site_code, external_id))""",
)

_V1_VIEWS = (
    """CREATE VIEW v_runs AS
    SELECT p.id AS plan_id, p.tenant_code AS tenant, p.site_code AS site, p.week_anchor AS week,
           p.version, p.kind, p.parent_plan_id, p.state, p.state_version,
           p.instance_count AS instances, p.assigned_count AS assigned, p.driver_count AS drivers,
           p.audits_passed || '/' || p.audits_total AS audits,
           f.status AS forecast_status, f.input_hash, p.output_hash, p.seed, p.solver_config_hash,
           p.created_by, p.created_at, p.updated_at, p.locked_at, p.error_text
    FROM plans p JOIN forecasts f ON f.id = p.forecast_id""",
    f"""CREATE VIEW v_driver_weeks AS
    SELECT p.id AS plan_id, p.tenant_code AS tenant, p.site_code AS site, p.week_anchor AS week,
           p.state, a.driver_id,
           count(*) AS tours,
           count(DISTINCT i.day) AS days,
           round(sum(i.work_minutes) / 60.0, 2) AS hours,
           sum(i.work_minutes) >= {DEFAULT_CONFIG.fte_threshold_minutes} AS full_time,
           list(i.day ORDER BY i.start_min) AS tour_days,
           min(i.start_min) AS first_start_min,
           max(i.end_min) AS last_end_min
    FROM plans p
    JOIN plan_assignments a ON a.plan_id = p.id
    JOIN plan_instances i ON i.plan_id = a.plan_id AND i.instance_id = a.instance_id
    GROUP BY p.id, p.tenant_code, p.site_code, p.week_anchor, p.state, a.driver_id""",
    """CREATE VIEW v_approvals AS
    SELECT tenant_code AS tenant, site_code AS site, seq, plan_id, action, from_state, to_state,
           actor, role, reason, conditions_met, recorded_at, prev_hash, hash
    FROM approvals""",
    """CREATE VIEW v_forecasts AS
    SELECT id AS forecast_id, tenant_code AS tenant, site_code AS site, week_anchor AS week,
           source_format, source_name, status, instance_count AS instances, input_hash,
           created_by, created_at
    FROM forecasts""",
)

_V2_TRUST = (
    # what a record proves: the plan's content hashes and whether the clock was overridden (and the real time)
    "ALTER TABLE approvals ADD COLUMN instances_hash VARCHAR",
    "ALTER TABLE approvals ADD COLUMN assignments_hash VARCHAR",
    "ALTER TABLE approvals ADD COLUMN output_hash VARCHAR",
    "ALTER TABLE approvals ADD COLUMN real_at TIMESTAMP",
    "ALTER TABLE approvals ADD COLUMN clock_override BOOLEAN",
    # records up to legacy_seq were written before the keyed chain (plain SHA-256, no content hashes)
    "ALTER TABLE approval_chains ADD COLUMN legacy_seq BIGINT",
    "UPDATE approval_chains SET legacy_seq = head_seq",
    # a setting changed under a clock override (kill switch) keeps the real time too
    "ALTER TABLE settings ADD COLUMN real_at TIMESTAMP",
    "ALTER TABLE settings_log ADD COLUMN real_at TIMESTAMP",
    # the lease of a SOLVING run: which process solves it and when it last said so
    "ALTER TABLE plans ADD COLUMN lease_pid INTEGER",
    "ALTER TABLE plans ADD COLUMN lease_host VARCHAR",
    "ALTER TABLE plans ADD COLUMN lease_heartbeat TIMESTAMP",
    "DROP VIEW v_approvals",
    """CREATE VIEW v_approvals AS
    SELECT tenant_code AS tenant, site_code AS site, seq, plan_id, action, from_state, to_state,
           actor, role, reason, conditions_met, recorded_at, real_at, clock_override,
           instances_hash, assignments_hash, output_hash, prev_hash, hash
    FROM approvals""",
)

_V3_DRIVER_ROSTER = (
    "ALTER TABLE drivers ADD COLUMN email VARCHAR",
    "ALTER TABLE drivers ADD COLUMN phone VARCHAR",
    "ALTER TABLE drivers ADD COLUMN preferred_channel VARCHAR",
    """CREATE TABLE driver_removals (
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        external_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        removed_by VARCHAR NOT NULL,
        removed_at TIMESTAMP NOT NULL,
        reason VARCHAR NOT NULL)""",
)

_V4_PINS = (
    # an assignment a dispatcher pinned on a plan version: re-solves and repairs of it keep it
    """CREATE TABLE plan_pins (
        plan_id BIGINT NOT NULL,
        instance_id VARCHAR NOT NULL,
        driver_id VARCHAR NOT NULL,
        pinned_by VARCHAR NOT NULL,
        pinned_at TIMESTAMP NOT NULL,
        reason VARCHAR NOT NULL,
        PRIMARY KEY (plan_id, instance_id))""",
)

_V5_AFTER_LOCK = (
    # the evidence pack written for a plan (path, sha256): `show-run` names it, retention purges it
    """CREATE TABLE evidence_packs (
        plan_id BIGINT NOT NULL,
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        written_by VARCHAR NOT NULL,
        written_at TIMESTAMP NOT NULL,
        PRIMARY KEY (plan_id, path))""",
    # what a purged approval record leaves: its place and hashes (no actor, no reason), so the chain
    # from genesis to its anchor can still be followed
    """CREATE TABLE approval_tombstones (
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        seq BIGINT NOT NULL,
        plan_id BIGINT NOT NULL,
        action VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        prev_hash VARCHAR NOT NULL,
        hash VARCHAR NOT NULL,
        purged_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant_code, site_code, seq))""",
    # GDPR erasures of drivers: the subject only as a keyed hash, who requested and who confirmed
    """CREATE TABLE gdpr_erasures (
        id BIGINT PRIMARY KEY,
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        requested_by VARCHAR NOT NULL,
        requested_role VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        requested_at TIMESTAMP NOT NULL,
        state VARCHAR NOT NULL,
        confirmed_by VARCHAR,
        confirmed_role VARCHAR,
        confirmed_at TIMESTAMP,
        pseudonym VARCHAR,
        plans_changed BIGINT[],
        locked_plans_kept BIGINT[],
        packs_removed VARCHAR[])""",
    # driver notifications: one message per (plan version, driver, channel), sent at most once
    """CREATE TABLE notification_outbox (
        key VARCHAR PRIMARY KEY,
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        plan_id BIGINT NOT NULL,
        driver_id VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        address VARCHAR,
        subject VARCHAR NOT NULL,
        body VARCHAR NOT NULL,
        ics BLOB NOT NULL,
        state VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        last_error VARCHAR,
        next_attempt_at TIMESTAMP,
        sent_at TIMESTAMP,
        created_at TIMESTAMP NOT NULL)""",
)

_V6_API_KEYS = (
    # per-user API keys for the HTTP server: only the SHA-256 of a key is kept (the key is shown once)
    """CREATE TABLE api_keys (
        key_hash VARCHAR PRIMARY KEY,
        login VARCHAR NOT NULL,
        tenant_code VARCHAR NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        revoked_at TIMESTAMP)""",
)

_V7_REDACTED_INPUTS = (
    # a forecast whose raw input a GDPR erasure pseudonymised: by which erasures (its input_hash stays
    # the original's, so packs exported before still verify against the hash recorded then)
    "ALTER TABLE forecasts ADD COLUMN redacted_by BIGINT[]",
    "ALTER TABLE gdpr_erasures ADD COLUMN forecasts_redacted BIGINT[]",
)

_V8_ALERTS = (
    # escalation alerts (runbook §9.1): one open alert per (tenant, site, kind, subject); its webhook delivery state
    """CREATE TABLE alerts (
        id BIGINT PRIMARY KEY,
        tenant_code VARCHAR NOT NULL,
        site_code VARCHAR NOT NULL,
        severity VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        message VARCHAR NOT NULL,
        raised_at TIMESTAMP NOT NULL,
        acked_by VARCHAR,
        acked_at TIMESTAMP,
        ack_reason VARCHAR,
        delivery_state VARCHAR NOT NULL,
        delivery_attempts INTEGER NOT NULL,
        delivery_error VARCHAR,
        delivered_at TIMESTAMP)""",
    # each printed handoff, so the next one lists what happened since
    """CREATE TABLE handoffs (
        id BIGINT PRIMARY KEY,
        tenant_code VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        given_by VARCHAR NOT NULL,
        given_at TIMESTAMP NOT NULL)""",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema: tenancy, forecasts, plans, approval chain, operator views", _V1_TABLES + _V1_VIEWS),
    Migration(2, "keyed approval chain over plan content, real time under a clock override, solve leases", _V2_TRUST),
    Migration(3, "driver roster: contact columns, removals log", _V3_DRIVER_ROSTER),
    Migration(4, "pinned assignments per plan version", _V4_PINS),
    Migration(5, "after the lock: evidence packs, approval tombstones, GDPR erasures, notification outbox", _V5_AFTER_LOCK),
    Migration(6, "per-user API keys (hashed) for the HTTP server", _V6_API_KEYS),
    Migration(7, "forecast inputs redacted by a GDPR erasure", _V7_REDACTED_INPUTS),
    Migration(8, "escalation alerts with their webhook delivery, handoff records", _V8_ALERTS),
)

CURRENT_VERSION = MIGRATIONS[-1].version

_VERSION_TABLE = """CREATE TABLE schema_version (
    version INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL)"""


def read_version(conn: duckdb.DuckDBPyConnection) -> int:
    """Schema version of the open file; 0 for a brand-new empty file. Call outside a transaction."""
    try:
        row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        return int(row[0]) if row else 0
    except duckdb.CatalogException:
        pass  # no schema_version table: empty file, or somebody else's database
    tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database()").fetchone()
    if tables != (0,):
        raise StoreError("this file is not a roster cockpit store (it has tables but no schema_version)")
    return 0


def is_current(version: int) -> bool:
    return version == CURRENT_VERSION


def ensure_current(conn: duckdb.DuckDBPyConnection, path: str, *, writable: bool, now: datetime, version: int) -> int:
    """Refuse a newer file; migrate an older one if allowed. `version` comes from `read_version`, run
    before the transaction starts (a failed catalog lookup would abort the transaction); the
    migration itself runs inside the caller's transaction."""
    if version > CURRENT_VERSION:
        raise SchemaTooNew(
            f"store {path} has schema version {version}, newer than this program understands ({CURRENT_VERSION}); "
            "upgrade the program before opening it"
        )
    if version == CURRENT_VERSION:
        return version
    if not writable:
        raise SchemaTooOld(
            f"store {path} has schema version {version} and needs an upgrade to {CURRENT_VERSION}; "
            "open it once without --read-only"
        )
    if version == 0:
        conn.execute(_VERSION_TABLE)
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        for statement in migration.statements:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_version VALUES (?, ?, ?)", [migration.version, migration.description, now]
        )
    return CURRENT_VERSION
