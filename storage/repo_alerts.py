"""Escalation alerts (runbook §9.1) and handoff records.

An alert is raised once per open (tenant, site, kind, subject): raising it again while it is
unacknowledged returns the open one. Its webhook delivery is tracked on the row (PENDING →
DELIVERED, or FAILED after MAX_DELIVERIES), so a restart resends only what was not delivered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from storage.backend import Database
from storage.clock import from_db
from storage.errors import Conflict, NotFound
from storage.scope import Actor, Scope, reads, writes

Severity = Literal["S0", "S1", "S2", "S3"]  # S0 worst (runbook §9.2)
MAX_DELIVERIES = 5
_TABLES = {"plan": "plans", "forecast": "forecasts"}  # what a scope violation may have asked for


class NewAlert(BaseModel):
    model_config = ConfigDict(frozen=True)
    site: str
    severity: Severity
    kind: str  # solver_timeout | audit_failure | coverage | scope_violation
    subject: str  # what it is about, e.g. "run 42"
    message: str


class AlertRecord(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: int
    tenant: str
    site: str
    severity: str
    kind: str
    subject: str
    message: str
    raised_at: datetime
    acked_by: str | None
    acked_at: datetime | None
    ack_reason: str | None
    delivery_state: str  # PENDING | DELIVERED | FAILED | NONE (no webhook configured)
    delivery_attempts: int
    delivery_error: str | None
    delivered_at: datetime | None

    @property
    def open(self) -> bool:
        return self.acked_at is None


class HandoffRecord(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: int
    tenant: str
    kind: str  # shift | week
    given_by: str
    given_at: datetime


_COLUMNS = ("id, tenant_code, site_code, severity, kind, subject, message, raised_at, acked_by, acked_at, ack_reason, "
            "delivery_state, delivery_attempts, delivery_error, delivered_at")


def _alert(r: tuple) -> AlertRecord:
    return AlertRecord(id=r[0], tenant=r[1], site=r[2], severity=r[3], kind=r[4], subject=r[5], message=r[6],
                       raised_at=from_db(r[7]), acked_by=r[8], acked_at=from_db(r[9]), ack_reason=r[10],
                       delivery_state=r[11], delivery_attempts=r[12], delivery_error=r[13], delivered_at=from_db(r[14]))


class AlertRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def raise_alert(self, scope: Scope, new: NewAlert) -> tuple[AlertRecord, bool]:
        """(the alert, whether it is new): an open alert of the same kind and subject is not raised twice."""
        if new.site not in scope.sites:
            raise NotFound(f"site {new.site} not found")
        with self._db.session(write=True) as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM alerts WHERE tenant_code = ? AND site_code = ? AND kind = ? AND subject = ? "
                         "AND acked_at IS NULL", [scope.tenant, new.site, new.kind, new.subject])
            if row is not None:
                return _alert(row), False
            next_id = tx.unscoped_lookup("SELECT coalesce(max(id), 0) + 1 FROM alerts", [])  # ids are store-wide
            aid = int(next_id[0]) if next_id else 1
            tx.execute(f"INSERT INTO alerts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 'PENDING', 0, NULL, NULL)",
                       [aid, scope.tenant, new.site, new.severity, new.kind, new.subject, new.message, tx.now])
            return _alert(tx.one(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", [aid]) or ()), True

    @reads
    def list_alerts(self, scope: Scope, *, include_acked: bool = False, since: datetime | None = None) -> list[AlertRecord]:
        """Worst first, then newest."""
        where, params = scope.where()
        if not include_acked:
            where += " AND acked_at IS NULL"
        if since is not None:
            where += " AND raised_at >= ?"
            params.append(since.replace(tzinfo=None))
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM alerts WHERE {where} ORDER BY severity, raised_at DESC, id DESC", params)
        return [_alert(r) for r in rows]

    @reads
    def get(self, scope: Scope, alert_id: int) -> AlertRecord:
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM alerts WHERE id = ? AND {where}", [alert_id, *params])
        if row is None:
            raise NotFound(f"alert {alert_id} not found")
        return _alert(row)

    @writes
    def ack(self, scope: Scope, alert_id: int, actor: Actor, reason: str) -> AlertRecord:
        where, params = scope.where()
        with self._db.session(write=True) as tx:
            row = tx.one(f"SELECT acked_by FROM alerts WHERE id = ? AND {where}", [alert_id, *params])
            if row is None:
                raise NotFound(f"alert {alert_id} not found")
            if row[0] is not None:
                raise Conflict(f"alert {alert_id} was already acknowledged by {row[0]}")
            tx.execute("UPDATE alerts SET acked_by = ?, acked_at = ?, ack_reason = ? WHERE id = ?",
                       [actor.name, tx.now, reason.strip(), alert_id])
            return _alert(tx.one(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", [alert_id]) or ())

    @writes
    def record_delivery(self, scope: Scope, alert_id: int, *, error: str | None) -> AlertRecord:
        """After one webhook post: DELIVERED (error None), else PENDING with the error, FAILED after MAX_DELIVERIES."""
        where, params = scope.where()
        with self._db.session(write=True) as tx:
            row = tx.one(f"SELECT delivery_attempts FROM alerts WHERE id = ? AND {where}", [alert_id, *params])
            if row is None:
                raise NotFound(f"alert {alert_id} not found")
            attempts = int(row[0]) + 1
            if error is None:
                tx.execute("UPDATE alerts SET delivery_state = 'DELIVERED', delivery_attempts = ?, delivered_at = ?, "
                           "delivery_error = NULL WHERE id = ?", [attempts, tx.now, alert_id])
            else:
                state = "FAILED" if attempts >= MAX_DELIVERIES else "PENDING"
                tx.execute("UPDATE alerts SET delivery_state = ?, delivery_attempts = ?, delivery_error = ? WHERE id = ?",
                           [state, attempts, error[:500], alert_id])
            return _alert(tx.one(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", [alert_id]) or ())

    @reads
    def exists_elsewhere(self, scope: Scope, kind: str, key: int) -> bool:
        """Whether a plan/forecast `key` exists outside the caller's scope: only this yes/no crosses the
        scope (nothing of the other tenant's row is read), so a refused request can be told from a typo."""
        table = _TABLES.get(kind)
        if table is None:
            return False
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            return tx.unscoped_lookup(f"SELECT 1 FROM {table} WHERE id = ? AND NOT ({where})", [key, *params]) is not None

    @writes
    def record_handoff(self, scope: Scope, kind: str, actor: Actor) -> HandoffRecord:
        with self._db.session(write=True) as tx:
            next_id = tx.unscoped_lookup("SELECT coalesce(max(id), 0) + 1 FROM handoffs", [])
            hid = int(next_id[0]) if next_id else 1
            tx.execute("INSERT INTO handoffs VALUES (?, ?, ?, ?, ?)", [hid, scope.tenant, kind, actor.name, tx.now])
            return HandoffRecord(id=hid, tenant=scope.tenant, kind=kind, given_by=actor.name, given_at=tx.now.replace(tzinfo=UTC))

    @reads
    def last_handoff(self, scope: Scope, kind: str) -> HandoffRecord | None:
        with self._db.session(write=False) as tx:
            r = tx.one("SELECT id, tenant_code, kind, given_by, given_at FROM handoffs WHERE tenant_code = ? AND kind = ? "
                       "ORDER BY given_at DESC, id DESC LIMIT 1", [scope.tenant, kind])
        return None if r is None else HandoffRecord(id=r[0], tenant=r[1], kind=r[2], given_by=r[3], given_at=r[4].replace(tzinfo=UTC))
