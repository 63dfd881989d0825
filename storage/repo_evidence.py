"""Evidence packs in the store: which pack was written for which plan (path, sha256), and the chain
links a pack carries so an auditor can follow the plan's approval records without the store."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from storage.clock import from_db
from storage.backend import Database
from storage.errors import NotFound
from storage.scope import Actor, Scope, reads, writes


class EvidencePack(BaseModel):
    model_config = ConfigDict(frozen=True)
    plan_id: int
    path: str
    sha256: str
    size: int
    written_by: str
    written_at: datetime


class EvidenceRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @reads
    def chain_links(self, scope: Scope, plan_id: int, last_seq: int | None = None) -> list[tuple[int, str, str]]:
        """(seq, prev_hash, hash) of the site chain from the plan's first record to `last_seq` (default: its last)."""
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            row = tx.one(f"SELECT tenant_code, site_code FROM plans WHERE id = ? AND {where}", [plan_id, *params])
            if row is None:
                raise NotFound(f"plan {plan_id} not found")
            first, last = tx.one("SELECT min(seq), max(seq) FROM approvals WHERE plan_id = ?", [plan_id]) or (None, None)
            if first is None:
                return []
            rows = tx.all(
                "SELECT seq, prev_hash, hash FROM approvals WHERE tenant_code = ? AND site_code = ? AND seq BETWEEN ? AND ? "
                "ORDER BY seq",
                [row[0], row[1], first, last if last_seq is None else last_seq],
            )
        return [(int(s), str(p), str(h)) for s, p, h in rows]

    @writes
    def record(self, scope: Scope, plan_id: int, path: str, sha256: str, size: int, actor: Actor) -> EvidencePack:
        """Remember a pack written for the plan (the same path again replaces its row)."""
        where, params = scope.where()
        with self._db.session(write=True) as tx:
            row = tx.one(f"SELECT tenant_code, site_code FROM plans WHERE id = ? AND {where}", [plan_id, *params])
            if row is None:
                raise NotFound(f"plan {plan_id} not found")
            tx.execute("DELETE FROM evidence_packs WHERE plan_id = ? AND path = ?", [plan_id, path])
            tx.execute("INSERT INTO evidence_packs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [plan_id, row[0], row[1], path, sha256, size, actor.name, tx.now])
            return EvidencePack(plan_id=plan_id, path=path, sha256=sha256, size=size, written_by=actor.name,
                                written_at=from_db(tx.now) or tx.now)

    @reads
    def for_plan(self, scope: Scope, plan_id: int) -> list[EvidencePack]:
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            rows = tx.all(
                f"SELECT plan_id, path, sha256, size, written_by, written_at FROM evidence_packs WHERE plan_id = ? AND {where} "
                "ORDER BY written_at, path",
                [plan_id, *params],
            )
        return [EvidencePack(plan_id=r[0], path=r[1], sha256=r[2], size=r[3], written_by=r[4], written_at=from_db(r[5]) or r[5])
                for r in rows]
