"""Forecasts: stored once per tenant + site + input_hash (ingesting the same content returns the same id).

A forecast keeps its raw bytes (evidence pack), canonical JSON, validation status
(PASS/WARN; FAIL is never stored) and findings. Forecasts never change after insert.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from storage.clock import from_db
from storage.backend import Database
from storage.db import Tx
from storage.errors import InvalidInput, NotFound
from storage.models import ForecastAdded, ForecastContent, ForecastRecord, NewForecast
from storage.scope import Actor, Scope, reads, writes
from storage.tenancy_rows import ensure_site

_COLUMNS = (
    "id, tenant_code, site_code, week_anchor, source_format, source_name, input_hash, status, findings, "
    "instance_count, created_by, created_at"
)


def _record(r: tuple[Any, ...]) -> ForecastRecord:
    return ForecastRecord(
        id=r[0], tenant=r[1], site=r[2], week_anchor=r[3], source_format=r[4], source_name=r[5],
        input_hash=r[6], status=r[7], findings=json.loads(r[8]), instance_count=r[9], created_by=r[10],
        created_at=from_db(r[11]),
    )


def load_forecast(tx: Tx, scope: Scope, forecast_id: int) -> ForecastRecord:
    where, params = scope.where()
    row = tx.one(f"SELECT {_COLUMNS} FROM forecasts WHERE id = ? AND {where}", [forecast_id, *params])
    if row is None:
        raise NotFound(f"forecast {forecast_id} not found", kind="forecast", key=forecast_id)
    return _record(row)


def insert_forecast(tx: Tx, scope: Scope, new: NewForecast, actor: Actor) -> ForecastAdded:
    """The insert behind `ForecastRepo.add`, inside the caller's transaction."""
    fc = new.forecast
    if not scope.allows(fc.tenant_code, fc.site_code):
        raise NotFound(f"site {fc.site_code} not found")
    if fc.week_anchor_date.weekday() != 0:
        raise InvalidInput("week_anchor_date must be a Monday")
    input_hash = fc.input_hash
    existing = tx.one(
        f"SELECT {_COLUMNS} FROM forecasts WHERE tenant_code = ? AND site_code = ? AND input_hash = ?",
        [fc.tenant_code, fc.site_code, input_hash],
    )
    if existing is not None:
        return ForecastAdded(forecast=_record(existing), created=False)
    ensure_site(tx, fc.tenant_code, fc.site_code, actor)
    forecast_id = int(tx.scalar("SELECT nextval('forecast_ids')"))
    tx.execute(
        "INSERT INTO forecasts (id, tenant_code, site_code, week_anchor, source_format, source_name, raw_bytes, canonical_json, "
        "input_hash, status, findings, instance_count, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [forecast_id, fc.tenant_code, fc.site_code, fc.week_anchor_date, new.source_format, new.source_name,
         new.raw_bytes, fc.canonical_json(), input_hash, new.status, json.dumps(new.findings), len(fc.instances),
         actor.name, tx.now],
    )
    return ForecastAdded(forecast=load_forecast(tx, scope, forecast_id), created=True)


class ForecastRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def add(self, scope: Scope, new: NewForecast, actor: Actor) -> ForecastAdded:
        """Store a validated forecast, or return the one already stored with the same input_hash."""
        with self._db.session(write=True) as tx:
            return insert_forecast(tx, scope, new, actor)

    @reads
    def get(self, scope: Scope, forecast_id: int) -> ForecastRecord:
        with self._db.session(write=False) as tx:
            return load_forecast(tx, scope, forecast_id)

    @reads
    def content(self, scope: Scope, forecast_id: int) -> ForecastContent:
        """Raw bytes and canonical JSON (large; loaded only on demand)."""
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            row = tx.one(f"SELECT raw_bytes, canonical_json, redacted_by FROM forecasts WHERE id = ? AND {where}",
                         [forecast_id, *params])
        if row is None:
            raise NotFound(f"forecast {forecast_id} not found")
        if row[0] is None or row[1] is None:
            raise NotFound(f"forecast {forecast_id} content was purged (retention)")
        return ForecastContent(raw_bytes=bytes(row[0]), canonical_json=row[1], redacted_by=tuple(row[2] or ()))

    @reads
    def find_by_hash(self, scope: Scope, site: str, input_hash: str) -> ForecastRecord | None:
        """The forecast with this content at this site, if already ingested."""
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            row = tx.one(
                f"SELECT {_COLUMNS} FROM forecasts WHERE site_code = ? AND input_hash = ? AND {where}",
                [site, input_hash, *params],
            )
        return None if row is None else _record(row)

    @reads
    def list_forecasts(
        self, scope: Scope, *, site: str | None = None, week: date | None = None, limit: int = 200
    ) -> list[ForecastRecord]:
        """Newest first."""
        where, params = scope.where()
        if site is not None:
            where += " AND site_code = ?"
            params.append(site)
        if week is not None:
            where += " AND week_anchor = ?"
            params.append(week)
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM forecasts WHERE {where} ORDER BY id DESC LIMIT ?", [*params, limit])
        return [_record(r) for r in rows]
