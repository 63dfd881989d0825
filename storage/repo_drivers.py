"""Driver master data per site (names, skills, max hours, unavailable days, contact; R10 input).

A removal deletes the row and records who removed whom and why in `driver_removals`, in the
same transaction.
"""

from __future__ import annotations

from typing import Any

from engine.models import DriverSpec
from storage.clock import from_db
from storage.backend import Database
from storage.errors import NotFound
from storage.models import DriverRecord
from storage.scope import Actor, Scope, reads, writes
from storage.tenancy_rows import ensure_site

_COLUMNS = (
    "tenant_code, site_code, external_id, name, skills, depot, max_hours_week, contract_type, unavailable_days, "
    "email, phone, preferred_channel, updated_by, updated_at"
)


class DriverRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def upsert_many(self, scope: Scope, site: str, drivers: list[DriverSpec], actor: Actor) -> int:
        """Insert or replace drivers of one site; returns how many were written."""
        if site not in scope.sites:
            raise NotFound(f"site {site} not found")
        with self._db.session(write=True) as tx:
            ensure_site(tx, scope.tenant, site, actor)
            for d in drivers:
                tx.execute(
                    "DELETE FROM drivers WHERE tenant_code = ? AND site_code = ? AND external_id = ?",
                    [scope.tenant, site, d.external_id],
                )
            for d in drivers:
                tx.execute(
                    f"INSERT INTO drivers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [scope.tenant, site, d.external_id, d.name, list(d.skills), d.depot, d.max_hours_week,
                     d.contract_type, list(d.unavailable_days), d.email, d.phone, d.preferred_channel, actor.name, tx.now],
                )
        return len(drivers)

    @writes
    def remove(self, scope: Scope, site: str, external_id: str, actor: Actor, reason: str) -> DriverRecord:
        """Delete one driver and log the removal; returns the row as it was."""
        if site not in scope.sites:
            raise NotFound(f"driver {external_id} not found")
        with self._db.session(write=True) as tx:
            row = tx.one(
                f"SELECT {_COLUMNS} FROM drivers WHERE tenant_code = ? AND site_code = ? AND external_id = ?",
                [scope.tenant, site, external_id],
            )
            if row is None:
                raise NotFound(f"driver {external_id} not found")
            tx.execute(
                "DELETE FROM drivers WHERE tenant_code = ? AND site_code = ? AND external_id = ?",
                [scope.tenant, site, external_id],
            )
            tx.execute(
                "INSERT INTO driver_removals VALUES (?, ?, ?, ?, ?, ?, ?)",
                [scope.tenant, site, external_id, row[3], actor.name, tx.now, reason],
            )
        return _driver(row)

    @reads
    def get(self, scope: Scope, site: str, external_id: str) -> DriverRecord:
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM drivers WHERE site_code = ? AND external_id = ? AND {where}", [site, external_id, *params])
        if row is None:
            raise NotFound(f"driver {external_id} not found")
        return _driver(row)

    @reads
    def list_drivers(self, scope: Scope, site: str | None = None) -> list[DriverRecord]:
        where, params = scope.where()
        if site is not None:
            where += " AND site_code = ?"
            params.append(site)
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM drivers WHERE {where} ORDER BY site_code, external_id", params)
        return [_driver(r) for r in rows]


def _driver(r: tuple[Any, ...]) -> DriverRecord:
    return DriverRecord(
        tenant=r[0], site=r[1], external_id=r[2], name=r[3], skills=tuple(r[4]), depot=r[5], max_hours_week=r[6],
        contract_type=r[7], unavailable_days=tuple(r[8]), email=r[9], phone=r[10], preferred_channel=r[11],
        updated_by=r[12], updated_at=from_db(r[13]),
    )


def as_spec(record: DriverRecord) -> DriverSpec:
    """Back to the engine's model (the solver's R10 input)."""
    return DriverSpec(
        external_id=record.external_id, name=record.name, skills=record.skills, depot=record.depot,
        max_hours_week=record.max_hours_week, contract_type=record.contract_type,
        unavailable_days=record.unavailable_days, email=record.email, phone=record.phone,
        preferred_channel=record.preferred_channel,  # type: ignore[arg-type]
    )
