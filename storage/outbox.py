"""The notification outbox: one message per (plan version, driver, channel), sent at most once.

A message's key is derived from (tenant, site, plan, driver, channel) and travels with it as its
idempotency key (email Message-ID, webhook `Idempotency-Key`), so a message sent but not recorded
(a crash in between) is sent again with the same key and the receiver keeps one copy.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from storage.clock import from_db
from storage.backend import Database
from storage.errors import NotFound
from storage.scope import Scope, reads, writes

MAX_ATTEMPTS = 5  # then FAILED: a person looks at it (`notify status`)


class OutboxMessage(BaseModel):
    model_config = ConfigDict(frozen=True)
    key: str
    tenant: str
    site: str
    plan_id: int
    driver_id: str
    channel: str  # email | webhook | none
    address: str | None
    subject: str
    body: str
    ics: bytes
    state: str = "PENDING"  # PENDING | SENT | FAILED | NO_CONTACT
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


UNSENT = {"body": "", "ics": b""}  # what an outbox listing over HTTP leaves out (the message itself), as it is read back


def message_key(tenant: str, site: str, plan_id: int, driver_id: str, channel: str) -> str:
    return hashlib.sha256(f"{tenant}|{site}|{plan_id}|{driver_id}|{channel}".encode()).hexdigest()[:32]


_COLUMNS = ("key, tenant_code, site_code, plan_id, driver_id, channel, address, subject, body, ics, state, attempts, "
            "last_error, next_attempt_at, sent_at")


def _row(r: tuple) -> OutboxMessage:
    return OutboxMessage(key=r[0], tenant=r[1], site=r[2], plan_id=r[3], driver_id=r[4], channel=r[5], address=r[6],
                         subject=r[7], body=r[8], ics=bytes(r[9]), state=r[10], attempts=r[11], last_error=r[12],
                         next_attempt_at=from_db(r[13]), sent_at=from_db(r[14]))


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def enqueue(self, scope: Scope, messages: list[OutboxMessage]) -> int:
        """Add the messages not yet in the outbox (by key); returns how many were new."""
        where, params = scope.where()
        with self._db.session(write=True) as tx:
            new = 0
            for m in messages:
                owner = tx.one(f"SELECT tenant_code, site_code FROM plans WHERE id = ? AND {where}", [m.plan_id, *params])
                if owner != (m.tenant, m.site):
                    raise NotFound(f"plan {m.plan_id} not found")
                if tx.one("SELECT 1 FROM notification_outbox WHERE key = ?", [m.key]):
                    continue
                tx.execute(
                    f"INSERT INTO notification_outbox ({_COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, NULL, ?)",
                    [m.key, m.tenant, m.site, m.plan_id, m.driver_id, m.channel, m.address, m.subject, m.body, m.ics,
                     m.state, m.last_error, tx.now],
                )
                new += 1
            return new

    @reads
    def for_plan(self, scope: Scope, plan_id: int) -> list[OutboxMessage]:
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM notification_outbox WHERE plan_id = ? AND {where} ORDER BY driver_id, channel",
                          [plan_id, *params])
        return [_row(r) for r in rows]

    @reads
    def counts(self, scope: Scope, plan_id: int) -> dict[str, int]:
        """Messages of the plan by state (PENDING, SENT, FAILED, NO_CONTACT): what the run shows."""
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT state, count(*) FROM notification_outbox WHERE plan_id = ? AND {where} GROUP BY state",
                          [plan_id, *params])
        return {str(state): int(n) for state, n in rows}

    @writes
    def record_attempt(self, scope: Scope, key: str, *, error: str | None, next_attempt_at: datetime | None) -> OutboxMessage:
        """After one send: SENT (error None), else PENDING with the error, or FAILED after MAX_ATTEMPTS."""
        where, params = scope.where()
        with self._db.session(write=True) as tx:
            row = tx.one(f"SELECT state, attempts FROM notification_outbox WHERE key = ? AND {where}", [key, *params])
            if row is None:
                raise NotFound(f"message {key} not found")
            attempts = int(row[1]) + 1
            if error is None:
                tx.execute("UPDATE notification_outbox SET state = 'SENT', attempts = ?, sent_at = ?, last_error = NULL, "
                           "next_attempt_at = NULL WHERE key = ?", [attempts, tx.now, key])
            else:
                state = "FAILED" if attempts >= MAX_ATTEMPTS else "PENDING"
                tx.execute("UPDATE notification_outbox SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ? "
                           "WHERE key = ?", [state, attempts, error[:500], next_attempt_at, key])
            return _row(tx.one(f"SELECT {_COLUMNS} FROM notification_outbox WHERE key = ?", [key]) or ())
