"""A whole store from one backend to another (DuckDB ↔ PostgreSQL), verified afterwards.

The target must be new or empty. Every table is read in one snapshot of the source and written in one
transaction of the target (plan rows before the plans, approval records in chain order, so
PostgreSQL's triggers accept them); sequences continue after the copied ids; the key and heads files
come along (the chain is keyed with the source's key). Then the row count of every table is compared
and each tenant's approval chain is verified on the target.
"""

from __future__ import annotations

import shutil

from pydantic import BaseModel

from storage import trust
from storage.errors import InvalidInput
from storage.pg_schema import PG_ONLY_TABLES
from storage.store import Store

_TABLES = ("SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
           "AND table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
_ORDER = {"approvals": "tenant_code, site_code, seq", "approval_tombstones": "tenant_code, site_code, seq"}
_LAST = ("plans",)  # after their rows: a LOCKED plan's rows cannot be inserted once the plan is there
_SEQUENCES = {"forecast_ids": "forecasts", "plan_ids": "plans"}


class CopyReport(BaseModel):
    rows: dict[str, int]  # table → rows copied (and found on the target)
    chains_verified: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def copy_store(source: Store, target: Store) -> CopyReport:
    """Copy everything; refuses a target that already holds rows or trust files."""
    if source.location == target.location:
        raise InvalidInput("cannot copy a store onto itself")
    if any(p.exists() for p in trust.companion_files(target.path)):
        raise InvalidInput(f"{target.location} already has a key or heads file ({target.path}.key); copy to a new store")
    if source.schema_version() != target.init():
        raise InvalidInput("source and target have different schema versions; open the source once to migrate it")
    with source._db.session(write=False, system=True) as tx:
        tables = [r[0] for r in tx.all(_TABLES) if r[0] not in ("schema_version", *PG_ONLY_TABLES)]  # jobs stay
        data = {t: tx.all(f"SELECT * FROM {t}" + (f" ORDER BY {_ORDER[t]}" if t in _ORDER else "")) for t in tables}
    with target._db.session(write=True, system=True) as tx:
        held = [t for t in tables if tx.scalar(f"SELECT count(*) FROM {t}")]
        if held:
            raise InvalidInput(f"{target.location} is not empty ({', '.join(held[:3])} have rows); copy to a new store")
        for table in sorted(tables, key=lambda t: (t in _LAST, t)):
            tx.insert_rows(table, data[table])
        for sequence, table in _SEQUENCES.items():
            tx.advance_sequence(sequence, max((r[0] for r in data[table]), default=0))
    for path, dest in zip(trust.companion_files(source.path), trust.companion_files(target.path), strict=True):
        if path.exists():
            dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            dest.chmod(0o600)
    return _verify(target, {t: len(rows) for t, rows in data.items()})


def _verify(target: Store, expected: dict[str, int]) -> CopyReport:
    problems: list[str] = []
    with target._db.session(write=False, system=True) as tx:
        found = {t: int(tx.scalar(f"SELECT count(*) FROM {t}")) for t in expected}
    problems += [f"{t}: {found[t]} rows on the target, {n} in the source" for t, n in expected.items() if found[t] != n]
    chains = 0
    for scope in target.tenants.all_scopes():
        for site in target.approvals.verify(scope).sites:
            chains += 1
            if not site.ok:
                broken = site.first_broken
                problems.append(f"chain {scope.tenant}/{site.site}: {broken.problem if broken else 'broken'}")
    return CopyReport(rows=found, chains_verified=chains, problems=problems)
