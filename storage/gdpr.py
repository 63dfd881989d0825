"""GDPR erasure of a driver: a request, then its execution by a second person, in one transaction.

The subject is kept only as a keyed hash (HMAC with the store key, storage/trust.py) so the
erasure log holds no personal data. Execution replaces the driver's id and name with a pseudonym
derived from that hash in the roster, the removals log, the notification outbox (address cleared), the
stored raw and canonical input of every forecast that lists the driver (its input_hash stays the
original's; the forecast records the erasure, and a new evidence pack says so) and the assignments of
every plan that is not LOCKED/SUPERSEDED (a locked plan is immutable: it keeps its ids until retention
purges it). Afterwards the store is compacted, so no freed block of the file keeps the old bytes.
A plan whose assignments change gets its output hash recomputed and a `gdpr_erase` approval
record over its new content, so the chain and the plan still verify. Who may request and who may
confirm is the app's rule (app/ops/gdpr.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from engine.hashing import output_hash
from engine.redact import redact_driver
from storage import approvals, trust
from storage.clock import from_db
from storage.backend import Database
from storage.db import Tx
from storage.errors import Conflict, NotFound
from storage.lifecycle import State
from storage.scope import Actor, Scope, reads, writes

_IMMUTABLE = [State.LOCKED.value, State.SUPERSEDED.value]
PSEUDONYM_PREFIX = "ERASED-"


class ErasureRequest(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: int
    site: str
    subject: str  # keyed hash of (tenant, site, driver id): no personal data
    requested_by: str
    requested_role: str
    reason: str
    requested_at: datetime
    state: str  # PENDING | DONE
    confirmed_by: str | None = None
    confirmed_role: str | None = None
    pseudonym: str | None = None
    plans_changed: tuple[int, ...] = ()
    locked_plans_kept: tuple[int, ...] = ()
    packs_removed: tuple[str, ...] = ()
    forecasts_redacted: tuple[int, ...] = ()


_COLUMNS = ("id, site_code, subject, requested_by, requested_role, reason, requested_at, state, confirmed_by, "
            "confirmed_role, pseudonym, plans_changed, locked_plans_kept, packs_removed, forecasts_redacted")


def _request(r: tuple) -> ErasureRequest:
    return ErasureRequest(
        id=r[0], site=r[1], subject=r[2], requested_by=r[3], requested_role=r[4], reason=r[5],
        requested_at=from_db(r[6]) or r[6], state=r[7], confirmed_by=r[8], confirmed_role=r[9], pseudonym=r[10],
        plans_changed=tuple(r[11] or ()), locked_plans_kept=tuple(r[12] or ()), packs_removed=tuple(r[13] or ()),
        forecasts_redacted=tuple(r[14] or ()),
    )


def _subject(key: bytes, tenant: str, site: str, driver: str) -> str:
    return trust.keyed_hash(key, {"tenant": tenant, "site": site, "driver": driver})


def pseudonym_of(subject: str) -> str:
    return PSEUDONYM_PREFIX + subject.split(":", 1)[1][:12]


def _known(tx: Tx, tenant: str, site: str, driver: str) -> bool:
    """Does the store hold anything of this driver at the site (roster, removals, assignments)?"""
    return bool(tx.scalar(
        "SELECT (SELECT count(*) FROM drivers WHERE tenant_code = ? AND site_code = ? AND external_id = ?) "
        "+ (SELECT count(*) FROM driver_removals WHERE tenant_code = ? AND site_code = ? AND external_id = ?) "
        "+ (SELECT count(*) FROM plan_assignments a JOIN plans p ON p.id = a.plan_id "
        "   WHERE p.tenant_code = ? AND p.site_code = ? AND a.driver_id = ?)",
        [tenant, site, driver] * 3,
    ))


class GdprRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @reads
    def pending(self, scope: Scope, site: str, driver: str) -> ErasureRequest | None:
        """The open request for this driver, if any (no key yet: no request can exist; another site: none)."""
        if site not in scope.sites:
            return None
        with self._db.session(write=False) as tx:
            key = tx.key()
            if key is None:
                return None
            row = tx.one(
                f"SELECT {_COLUMNS} FROM gdpr_erasures WHERE tenant_code = ? AND site_code = ? AND subject = ? "
                "AND state = 'PENDING'",
                [scope.tenant, site, _subject(key, scope.tenant, site, driver)],
            )
        return _request(row) if row else None

    @reads
    def history(self, scope: Scope) -> list[ErasureRequest]:
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM gdpr_erasures WHERE {where} ORDER BY id", params)
        return [_request(r) for r in rows]

    @writes
    def request(self, scope: Scope, site: str, driver: str, actor: Actor, reason: str) -> ErasureRequest:
        if site not in scope.sites:
            raise NotFound(f"driver {driver} not found")
        with self._db.session(write=True) as tx:
            if not _known(tx, scope.tenant, site, driver):
                raise NotFound(f"driver {driver} not found")
            key = tx.key(create=True)
            assert key is not None
            subject = _subject(key, scope.tenant, site, driver)
            if tx.one("SELECT 1 FROM gdpr_erasures WHERE tenant_code = ? AND site_code = ? AND subject = ? AND state = 'PENDING'",
                      [scope.tenant, site, subject]):
                raise Conflict("an erasure of this driver is already waiting for its second person")
            next_id = tx.unscoped_lookup("SELECT coalesce(max(id), 0) + 1 FROM gdpr_erasures", [])  # ids are store-wide
            rid = int(next_id[0]) if next_id else 1
            tx.execute(
                "INSERT INTO gdpr_erasures (id, tenant_code, site_code, subject, requested_by, requested_role, reason, "
                "requested_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')",
                [rid, scope.tenant, site, subject, actor.name, actor.role, reason, tx.now],
            )
            return _request(tx.one(f"SELECT {_COLUMNS} FROM gdpr_erasures WHERE id = ?", [rid]) or ())

    @writes
    def execute(self, scope: Scope, site: str, driver: str, request_id: int, actor: Actor) -> ErasureRequest:
        """Pseudonymise the driver everywhere it may be changed; mark the request DONE."""
        if site not in scope.sites:
            raise NotFound(f"driver {driver} not found")
        removed: list[str] = []
        with self._db.session(write=True) as tx:
            key = tx.key()
            if key is None:
                raise NotFound(f"erasure request {request_id} not found")
            subject = _subject(key, scope.tenant, site, driver)
            row = tx.one("SELECT state FROM gdpr_erasures WHERE id = ? AND tenant_code = ? AND site_code = ? AND subject = ?",
                         [request_id, scope.tenant, site, subject])
            if row is None:
                raise NotFound(f"erasure request {request_id} not found")
            if row[0] != "PENDING":
                raise Conflict(f"erasure request {request_id} is already {row[0]}")
            alias = pseudonym_of(subject)
            t, s = scope.tenant, site
            tx.execute("UPDATE drivers SET external_id = ?, name = ?, email = NULL, phone = NULL, preferred_channel = NULL, "
                       "updated_by = ?, updated_at = ? WHERE tenant_code = ? AND site_code = ? AND external_id = ?",
                       [alias, alias, actor.name, tx.now, t, s, driver])
            tx.execute("UPDATE notification_outbox SET driver_id = ?, address = NULL WHERE tenant_code = ? AND site_code = ? "
                       "AND driver_id = ?", [alias, t, s, driver])
            tx.execute("UPDATE driver_removals SET external_id = ?, name = ? WHERE tenant_code = ? AND site_code = ? "
                       "AND external_id = ?", [alias, alias, t, s, driver])
            redacted = _redact_forecasts(tx, t, s, driver, alias, request_id)
            plans = tx.all(
                "SELECT DISTINCT p.id, p.state, p.solver_config_hash FROM plans p JOIN plan_assignments a ON a.plan_id = p.id "
                "WHERE p.tenant_code = ? AND p.site_code = ? AND a.driver_id = ? AND NOT list_contains(?, p.state) ORDER BY p.id",
                [t, s, driver, _IMMUTABLE],
            )
            kept = [r[0] for r in tx.all(
                "SELECT DISTINCT p.id FROM plans p JOIN plan_assignments a ON a.plan_id = p.id WHERE p.tenant_code = ? "
                "AND p.site_code = ? AND a.driver_id = ? AND list_contains(?, p.state) ORDER BY p.id",
                [t, s, driver, _IMMUTABLE],
            )]
            for plan_id, state, config_hash in plans:
                _pseudonymise_plan(tx, t, s, plan_id, state, config_hash, driver, alias, actor, request_id)
            changed = [r[0] for r in plans]
            removed = [r[0] for r in tx.all("SELECT path FROM evidence_packs WHERE list_contains(?, plan_id) ORDER BY path",
                                            [changed])]
            tx.execute("DELETE FROM evidence_packs WHERE list_contains(?, plan_id)", [changed])
            tx.execute(
                "UPDATE gdpr_erasures SET state = 'DONE', confirmed_by = ?, confirmed_role = ?, confirmed_at = ?, pseudonym = ?, "
                "plans_changed = ?, locked_plans_kept = ?, packs_removed = ?, forecasts_redacted = ? WHERE id = ?",
                [actor.name, actor.role, tx.now, alias, changed, kept, removed, redacted, request_id],
            )
            done = _request(tx.one(f"SELECT {_COLUMNS} FROM gdpr_erasures WHERE id = ?", [request_id]) or ())
        for path in removed:  # packs written before hold the old id: new ones are built from the pseudonymised rows
            try:
                Path(path).unlink(missing_ok=True)
            except OSError:
                pass
        self._db.compact()
        return done


def _redact_forecasts(tx: Tx, tenant: str, site: str, driver: str, alias: str, request_id: int) -> list[int]:
    """Pseudonymise the driver in the raw input of every forecast of the site that lists them, and
    canonicalise the redacted bytes again (so a pack's input still reads to its canonical form)."""
    from engine.ingest import ingest  # here: the parsers are not loaded when the cockpit starts

    done = []
    rows = tx.all("SELECT id, source_format, raw_bytes, week_anchor, redacted_by FROM forecasts WHERE tenant_code = ? "
                  "AND site_code = ? AND raw_bytes IS NOT NULL ORDER BY id", [tenant, site])
    for forecast_id, fmt, raw, anchor, before in rows:
        redacted = redact_driver(bytes(raw), fmt, driver, alias)
        if redacted is None:
            continue
        result = ingest(redacted, fmt=fmt, tenant=tenant, site=site, anchor=anchor)
        if result.forecast is None:
            raise Conflict(f"forecast {forecast_id} no longer reads once the driver is pseudonymised; nothing was erased")
        tx.execute("UPDATE forecasts SET raw_bytes = ?, canonical_json = ?, redacted_by = ? WHERE id = ?",
                   [redacted, result.forecast.canonical_json(), [*(before or ()), request_id], forecast_id])
        done.append(forecast_id)
    return done


def _pseudonymise_plan(tx: Tx, tenant: str, site: str, plan_id: int, state: str, config_hash: str, driver: str,
                       alias: str, actor: Actor, request_id: int) -> None:
    """Rename the driver in one unlocked plan and record the new content on the chain."""
    tx.execute("UPDATE plan_assignments SET driver_id = ? WHERE plan_id = ? AND driver_id = ?", [alias, plan_id, driver])
    for name, rows in tx.all("SELECT name, rows FROM plan_audits WHERE plan_id = ?", [plan_id]):
        fixed = [{**r, "driver": alias} if isinstance(r, dict) and r.get("driver") == driver else r for r in json.loads(rows)]
        tx.execute("UPDATE plan_audits SET rows = ? WHERE plan_id = ? AND name = ?", [json.dumps(fixed), plan_id, name])
    assignments = dict(tx.all("SELECT instance_id, driver_id FROM plan_assignments WHERE plan_id = ?", [plan_id]))
    has_output = tx.scalar("SELECT output_hash IS NOT NULL FROM plans WHERE id = ?", [plan_id])
    tx.execute("UPDATE plans SET output_hash = ?, state_version = state_version + 1, updated_at = ? WHERE id = ?",
               [output_hash(assignments, config_hash) if has_output else None, tx.now, plan_id])
    approvals.append(tx, tenant=tenant, site=site, plan_id=plan_id, action="gdpr_erase", from_state=state,
                     to_state=state, actor=actor, reason=f"personal data of a driver pseudonymised (erasure #{request_id})",
                     conditions_met=("dpo_and_platform_admin",))
