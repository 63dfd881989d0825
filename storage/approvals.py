"""The approval log: append-only and hash-chained, one chain per tenant and site.

Each record stores the previous record's hash and its own HMAC (keyed with the store's
secret, storage/trust.py) over its canonical JSON, which includes the plan's content
hashes (instances, assignments, output) and state at that moment. `approval_chains`
remembers the head and the heads file next to the store remembers it too, so an edited,
deleted (also at the end, also all of them), or reordered record shows up in `verify`
as the first broken link, and a plan whose rows or state were changed behind the
chain's back shows up as a plan problem. Per-site chains keep verification inside the
caller's scope. Records are only ever written by `append`, called from the lifecycle
inside the state change's transaction.
"""

from __future__ import annotations

from typing import Any

from engine.models import canonical_dumps, sha256_prefixed
from storage import trust
from storage.clock import from_db, iso_utc
from storage.backend import Database
from storage.db import Tx
from storage.errors import NotFound, StoreError
from storage.models import ApprovalRecord, ChainProblem, ChainReport, PlanProblem, SiteChainReport
from storage.scope import Actor, Scope, reads

GENESIS_HASH = "sha256:" + "0" * 64

_COLUMNS = (
    "tenant_code, site_code, seq, plan_id, action, from_state, to_state, actor, role, reason, "
    "conditions_met, recorded_at, prev_hash, hash, instances_hash, assignments_hash, output_hash, real_at, clock_override"
)
_CONTENT_STATES = ("AUDITED", "PUBLISHED", "LOCKED", "SUPERSEDED")  # plans whose rows `verify` recomputes


def _payload(data: dict[str, Any]) -> dict[str, Any]:
    """The canonical fields a record's hash covers (keyed records also cover content and both times)."""
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
    if data.get("instances_hash") is not None:
        payload |= {
            "instances_hash": data["instances_hash"],
            "assignments_hash": data["assignments_hash"],
            "output_hash": data["output_hash"],
            "real_at": iso_utc(data["real_at"]) if data.get("real_at") else None,
            "clock_override": bool(data.get("clock_override")),
        }
    return payload


def record_hash(record: ApprovalRecord | dict[str, Any]) -> str:
    """Legacy (schema v1) records: SHA-256 over the canonical JSON (every field except `hash`)."""
    data = record.model_dump() if isinstance(record, ApprovalRecord) else dict(record)
    return sha256_prefixed(canonical_dumps(_payload(data)))


def keyed_record_hash(key: bytes, record: ApprovalRecord | dict[str, Any]) -> str:
    data = record.model_dump() if isinstance(record, ApprovalRecord) else dict(record)
    return trust.keyed_hash(key, _payload(data))


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
        instances_hash=row[14],
        assignments_hash=row[15],
        output_hash=row[16],
        real_at=from_db(row[17]),
        clock_override=bool(row[18]),
    )


def content_hashes(tx: Tx, plan_id: int) -> tuple[str, str, str]:
    """(instances, assignments, output) hashes of the plan's rows as stored right now."""
    inst = tx.all(
        "SELECT instance_id, external_id, instance_no, day, start_min, end_min, segments, work_minutes, depot, skill, "
        "priority FROM plan_instances WHERE plan_id = ? ORDER BY instance_id",
        [plan_id],
    )
    asg = tx.all("SELECT instance_id, driver_id FROM plan_assignments WHERE plan_id = ? ORDER BY instance_id", [plan_id])
    output = tx.scalar("SELECT output_hash FROM plans WHERE id = ?", [plan_id])
    return trust.instances_hash(inst), trust.assignments_hash(asg), output or ""


def _chain_key(tx: Tx) -> bytes:
    """The key for a new record; a missing key is created only while no keyed record exists."""
    key = tx.key()
    if key is not None:
        return key
    if tx.scalar(f"SELECT count(*) FROM approvals WHERE hash LIKE '{trust.HMAC_PREFIX}%'"):
        raise StoreError(
            f"the store key {trust.key_path(tx.store_path)} is missing, so the approval chain cannot be extended; "
            "restore it from the backup of this store"
        )
    created = tx.key(create=True)
    assert created is not None
    return created


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
    """Add one keyed record at the head of the site's chain (inside the caller's transaction); the
    heads file learns the new head once the transaction has committed (and a new chain's opening line
    before it commits)."""
    head = tx.one(
        "SELECT head_seq, head_hash FROM approval_chains WHERE tenant_code = ? AND site_code = ?", [tenant, site]
    )
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    key = _chain_key(tx)
    path = tx.store_path
    if head is None:  # on disk before the commit: a kill before the first head line still leaves the chain known
        trust.append_head(path, tenant, site, 0, GENESIS_HASH, sync=True)
    inst_hash, asg_hash, output = content_hashes(tx, plan_id)
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
        "instances_hash": inst_hash,
        "assignments_hash": asg_hash,
        "output_hash": output,
        "real_at": from_db(tx.real_now or tx.now),
        "clock_override": tx.clock_override,
    }
    record = ApprovalRecord(**fields, hash=keyed_record_hash(key, fields))
    tx.execute(
        f"INSERT INTO approvals ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [tenant, site, seq, plan_id, action, from_state, to_state, actor.name, actor.role, reason,
         list(record.conditions_met), tx.now, prev, record.hash, inst_hash, asg_hash, output,
         tx.real_now or tx.now, tx.clock_override],
    )
    if head:
        tx.execute(
            "UPDATE approval_chains SET head_seq = ?, head_hash = ? WHERE tenant_code = ? AND site_code = ?",
            [seq, record.hash, tenant, site],
        )
    else:
        tx.execute(
            "INSERT INTO approval_chains VALUES (?, ?, ?, ?, 0, ?, 0)", [tenant, site, seq, record.hash, GENESIS_HASH]
        )
    tx.after_commit.append(lambda: trust.append_head(path, tenant, site, seq, record.hash))
    return record


def _hash_ok(tx: Tx, record: ApprovalRecord, legacy_seq: int) -> str | None:
    """None when the record's hash is right, else what is wrong."""
    if record.hash.startswith(trust.HMAC_PREFIX):
        key = tx.key()
        if key is None:
            return f"the store key {trust.key_path(tx.store_path).name} is missing: keyed records cannot be checked"
        if not trust.same_hash(keyed_record_hash(key, record), record.hash):
            return "content does not match its keyed hash (record was edited)"
        return None
    if record.seq > legacy_seq:
        return "record is not keyed although the chain is (rewritten without the store key)"
    if record_hash(record) != record.hash:
        return "content does not match its hash (record was edited)"
    return None


def verify_site(tx: Tx, tenant: str, site: str, anchored: tuple[int, str] | None = None) -> SiteChainReport:
    """Walk one chain from its anchor, compare its head with the heads file, and recompute its plans."""
    chain = tx.one(
        "SELECT head_seq, head_hash, anchor_seq, anchor_hash, coalesce(legacy_seq, 0) FROM approval_chains "
        "WHERE tenant_code = ? AND site_code = ?",
        [tenant, site],
    )
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM approvals WHERE tenant_code = ? AND site_code = ? ORDER BY seq", [tenant, site]
    )
    if chain is None:
        if rows:
            return _broken(site, len(rows), rows[0][2], "chain head is missing")
        if anchored is not None and anchored[0] > 0:  # seq 0: opened by a transaction that never committed
            return _broken(site, 0, anchored[0], f"every record is gone, but the heads file remembers #{anchored[0]}")
        return SiteChainReport(site=site, records=0, ok=True)
    head_seq, head_hash, anchor_seq, anchor_hash, legacy_seq = chain
    problem = _tombstone_problem(tx, tenant, site, anchor_seq, anchor_hash)
    if problem:
        return _broken(site, len(rows), problem[0], problem[1])
    expected_seq, prev = anchor_seq + 1, anchor_hash
    by_seq: dict[int, str] = {}
    for row in rows:
        record = row_to_record(row)
        if record.seq != expected_seq:
            return _broken(site, len(rows), expected_seq, f"record #{expected_seq} is missing (next is #{record.seq})")
        if record.prev_hash != prev:
            return _broken(site, len(rows), record.seq, "prev_hash does not match the record before it (edited, deleted or reordered)")
        problem = _hash_ok(tx, record, legacy_seq)
        if problem:
            return _broken(site, len(rows), record.seq, problem)
        by_seq[record.seq] = record.hash
        prev, expected_seq = record.hash, expected_seq + 1
    if expected_seq - 1 != head_seq or prev != head_hash:
        return _broken(site, len(rows), expected_seq, f"chain ends at #{expected_seq - 1} but its head is #{head_seq} (records removed)")
    if anchored is not None:  # seq 0 (the chain's opening line alone): its first head line was lost, nothing proven yet
        seq_f, hash_f = anchored
        if seq_f > head_seq:
            return _broken(site, len(rows), head_seq + 1,
                           f"records removed: the chain ends at #{head_seq}, the heads file remembers #{seq_f}")
        if seq_f > anchor_seq and not trust.same_hash(by_seq.get(seq_f, ""), hash_f):
            return _broken(site, len(rows), seq_f, "record differs from the head the heads file remembers (history rewritten)")
    elif head_seq > legacy_seq:
        return _broken(site, len(rows), head_seq, "the heads file has no entry for this chain (removed or replaced)")
    checked, problems = _plan_problems(tx, tenant, site)
    return SiteChainReport(
        site=site, records=len(rows), ok=True, head=f"#{head_seq} {head_hash}", plans_checked=checked,
        plan_problems=[PlanProblem(plan_id=pid, problem=p) for pid, p in problems],
    )


def _tombstone_problem(tx: Tx, tenant: str, site: str, anchor_seq: int, anchor_hash: str) -> tuple[int, str] | None:
    """The tombstones purged records left must link from genesis to the chain's anchor (a store purged
    before tombstones existed has none: its anchor alone stands for the prefix)."""
    stones = tx.all(
        "SELECT seq, prev_hash, hash FROM approval_tombstones WHERE tenant_code = ? AND site_code = ? ORDER BY seq",
        [tenant, site],
    )
    if not stones:
        return None
    prev = GENESIS_HASH
    for expected, (seq, prev_hash, digest) in enumerate(stones, start=1):
        if seq != expected:
            return expected, f"tombstone #{expected} is missing (next is #{seq})"
        if prev_hash != prev:
            return seq, "tombstone does not link to the one before it (edited or reordered)"
        prev = digest
    if stones[-1][0] != anchor_seq or prev != anchor_hash:
        return anchor_seq, f"the tombstones end at #{stones[-1][0]} but the chain's anchor is #{anchor_seq}"
    return None


def _plan_problems(tx: Tx, tenant: str, site: str) -> tuple[int, list[tuple[int, str]]]:
    """How many plans were checked, and those whose rows or state disagree with their chain."""
    plans = tx.all(
        "SELECT id, state, state_version FROM plans WHERE tenant_code = ? AND site_code = ? ORDER BY id", [tenant, site]
    )
    out = []
    for pid, state, version in plans:
        problem = plan_problem(tx, pid, state, version, content=state in _CONTENT_STATES)
        if problem:
            out.append((pid, problem))
    return len(plans), out


def plan_problem(tx: Tx, plan_id: int, state: str, state_version: int, *, content: bool = True) -> str | None:
    """Why the plan's stored state or rows disagree with its newest approval record (None: they agree)."""
    rows = tx.all(f"SELECT {_COLUMNS} FROM approvals WHERE plan_id = ? ORDER BY seq DESC", [plan_id])
    if not rows:
        return "the plan has no approval records (removed)"
    newest = row_to_record(rows[0])
    records = len({(r[0], r[1], r[2]) for r in rows})
    if newest.to_state != state:
        return f"its state is {state} but its newest approval record (#{newest.seq}) says {newest.to_state}"
    if records != state_version:
        return f"it has {records} approval record(s) but state version {state_version}"
    if newest.instances_hash is None:
        return None  # a legacy record proves only the state
    legacy = tx.scalar(
        "SELECT coalesce(legacy_seq, 0) FROM approval_chains WHERE tenant_code = ? AND site_code = ?",
        [newest.tenant, newest.site],
    ) or 0
    problem = _hash_ok(tx, newest, legacy)
    if problem:
        return f"approval record #{newest.seq}: {problem}"
    if not content:
        return None
    inst, asg, output = content_hashes(tx, plan_id)
    changed = [name for name, now, then in (("instances", inst, newest.instances_hash),
                                            ("assignments", asg, newest.assignments_hash),
                                            ("output hash", output, newest.output_hash)) if now != then]
    if changed:
        return f"its {' and '.join(changed)} changed since approval record #{newest.seq}"
    return None


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
        heads, unreadable = trust.anchored_heads(self._db.path)
        if trust.key_path(self._db.path).exists() and not trust.heads_path(self._db.path).exists():
            unreadable = [f"{trust.heads_path(self._db.path).name} is missing although the store key exists "
                          "(the anchor of every chain was removed)"]
        with self._db.session(write=False) as tx:
            sites = [verify_site(tx, scope.tenant, s, heads.get((scope.tenant, s))) for s in sorted(scope.sites)]
        if unreadable:
            sites = [s if not s.ok else s.model_copy(update={"ok": False, "first_broken": ChainProblem(seq=0, problem=unreadable[0])})
                     for s in sites]
        return ChainReport(tenant=scope.tenant, sites=sites)

    @reads
    def plan_integrity(self, scope: Scope, plan_id: int) -> str | None:
        """Why the plan's stored rows or state disagree with its approval chain (None: they agree)."""
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            row = tx.one(f"SELECT state, state_version FROM plans WHERE id = ? AND {where}", [plan_id, *params])
            if row is None:
                raise NotFound(f"plan {plan_id} not found")
            return plan_problem(tx, plan_id, row[0], row[1])


def plan_records(tx: Tx, scope: Scope, plan_id: int) -> list[ApprovalRecord]:
    where, params = scope.where()
    if tx.one(f"SELECT 1 FROM plans WHERE id = ? AND {where}", [plan_id, *params]) is None:
        raise NotFound(f"plan {plan_id} not found")
    rows = tx.all(f"SELECT {_COLUMNS} FROM approvals WHERE plan_id = ? AND {where} ORDER BY seq", [plan_id, *params])
    return [row_to_record(r) for r in rows]
