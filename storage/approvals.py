"""The approval log: append-only and hash-chained, one chain per tenant and site.

Each record stores the previous record's hash and its own hash over its canonical
JSON, and `approval_chains` remembers the head, so an edited, deleted (also at the
end), or reordered record shows up in `verify` as the first broken link. Per-site
chains keep verification inside the caller's scope. Records are only ever written
by `append`, called from the lifecycle inside the state change's transaction.
"""

from __future__ import annotations

from typing import Any

from engine.models import canonical_dumps, sha256_prefixed
from storage.clock import from_db, iso_utc
from storage.db import Database, Tx
from storage.errors import NotFound
from storage.models import ApprovalRecord, ChainProblem, ChainReport, SiteChainReport
from storage.scope import Actor, Scope, reads

GENESIS_HASH = "sha256:" + "0" * 64

_COLUMNS = (
    "tenant_code, site_code, seq, plan_id, action, from_state, to_state, actor, role, reason, "
    "conditions_met, recorded_at, prev_hash, hash"
)


def record_hash(record: ApprovalRecord | dict[str, Any]) -> str:
    """SHA-256 over the record's canonical JSON (every field except `hash`)."""
    data = record.model_dump() if isinstance(record, ApprovalRecord) else dict(record)
    payload = {
        "seq": data["seq"],
        "tenant": data["tenant"],
        "site": data["site"],
        "plan_id": data["plan_id"],
        "action": data["action"],
        "from_state": data["from_state"],
        "to_state": data["to_state"],
        "actor": data["actor"],
        "role": data["role"],
        "reason": data["reason"],
        "conditions_met": list(data["conditions_met"]),
        "at": iso_utc(data["at"]),
        "prev_hash": data["prev_hash"],
    }
    return sha256_prefixed(canonical_dumps(payload))


def row_to_record(row: tuple[Any, ...]) -> ApprovalRecord:
    return ApprovalRecord(
        tenant=row[0],
        site=row[1],
        seq=row[2],
        plan_id=row[3],
        action=row[4],
        from_state=row[5],
        to_state=row[6],
        actor=row[7],
        role=row[8],
        reason=row[9],
        conditions_met=tuple(row[10]),
        at=from_db(row[11]),
        prev_hash=row[12],
        hash=row[13],
    )


def append(
    tx: Tx,
    *,
    tenant: str,
    site: str,
    plan_id: int,
    action: str,
    from_state: str | None,
    to_state: str,
    actor: Actor,
    reason: str,
    conditions_met: tuple[str, ...] | list[str],
) -> ApprovalRecord:
    """Add one record at the head of the site's chain (inside the caller's transaction)."""
    head = tx.one(
        "SELECT head_seq, head_hash FROM approval_chains WHERE tenant_code = ? AND site_code = ?", [tenant, site]
    )
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    fields: dict[str, Any] = {
        "seq": seq,
        "tenant": tenant,
        "site": site,
        "plan_id": plan_id,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "actor": actor.name,
        "role": actor.role,
        "reason": reason,
        "conditions_met": tuple(conditions_met),
        "at": from_db(tx.now),
        "prev_hash": prev,
    }
    record = ApprovalRecord(**fields, hash=record_hash(fields))
    tx.execute(
        f"INSERT INTO approvals ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [tenant, site, seq, plan_id, action, from_state, to_state, actor.name, actor.role, reason,
         list(record.conditions_met), tx.now, prev, record.hash],
    )
    if head:
        tx.execute(
            "UPDATE approval_chains SET head_seq = ?, head_hash = ? WHERE tenant_code = ? AND site_code = ?",
            [seq, record.hash, tenant, site],
        )
    else:
        tx.execute(
            "INSERT INTO approval_chains VALUES (?, ?, ?, ?, 0, ?)", [tenant, site, seq, record.hash, GENESIS_HASH]
        )
    return record


def verify_site(tx: Tx, tenant: str, site: str) -> SiteChainReport:
    """Walk one chain from its anchor and report the first broken link."""
    chain = tx.one(
        "SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM approval_chains WHERE tenant_code = ? AND site_code = ?",
        [tenant, site],
    )
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM approvals WHERE tenant_code = ? AND site_code = ? ORDER BY seq", [tenant, site]
    )
    if chain is None:
        if rows:
            return _broken(site, len(rows), rows[0][2], "chain head is missing")
        return SiteChainReport(site=site, records=0, ok=True)
    head_seq, head_hash, anchor_seq, anchor_hash = chain
    expected_seq, prev = anchor_seq + 1, anchor_hash
    for row in rows:
        record = row_to_record(row)
        if record.seq != expected_seq:
            return _broken(site, len(rows), expected_seq, f"record #{expected_seq} is missing (next is #{record.seq})")
        if record.prev_hash != prev:
            return _broken(site, len(rows), record.seq, "prev_hash does not match the record before it (edited, deleted or reordered)")
        if record_hash(record) != record.hash:
            return _broken(site, len(rows), record.seq, "content does not match its hash (record was edited)")
        prev, expected_seq = record.hash, expected_seq + 1
    if expected_seq - 1 != head_seq or prev != head_hash:
        return _broken(site, len(rows), expected_seq, f"chain ends at #{expected_seq - 1} but its head is #{head_seq} (records removed)")
    return SiteChainReport(site=site, records=len(rows), ok=True)


def _broken(site: str, records: int, seq: int, problem: str) -> SiteChainReport:
    return SiteChainReport(site=site, records=records, ok=False, first_broken=ChainProblem(seq=seq, problem=problem))


class ApprovalRepo:
    """Scoped reads of the approval log and its verification."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @reads
    def for_plan(self, scope: Scope, plan_id: int) -> list[ApprovalRecord]:
        """The plan's records in order (evidence pack `approvals.json`)."""
        with self._db.session(write=False) as tx:
            return plan_records(tx, scope, plan_id)

    @reads
    def list_records(self, scope: Scope, *, site: str | None = None, limit: int = 200) -> list[ApprovalRecord]:
        """Newest first, across the caller's sites (or one of them)."""
        where, params = scope.where()
        if site is not None:
            where += " AND site_code = ?"
            params.append(site)
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM approvals WHERE {where} ORDER BY recorded_at DESC, seq DESC LIMIT ?", [*params, limit])
        return [row_to_record(r) for r in rows]

    @reads
    def verify(self, scope: Scope) -> ChainReport:
        """Check every chain of the caller's sites."""
        with self._db.session(write=False) as tx:
            return ChainReport(tenant=scope.tenant, sites=[verify_site(tx, scope.tenant, s) for s in sorted(scope.sites)])


def plan_records(tx: Tx, scope: Scope, plan_id: int) -> list[ApprovalRecord]:
    where, params = scope.where()
    if tx.one(f"SELECT 1 FROM plans WHERE id = ? AND {where}", [plan_id, *params]) is None:
        raise NotFound(f"plan {plan_id} not found")
    rows = tx.all(f"SELECT {_COLUMNS} FROM approvals WHERE plan_id = ? AND {where} ORDER BY seq", [plan_id, *params])
    return [row_to_record(r) for r in rows]
