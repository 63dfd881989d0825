"""`Store`: the one object the app, CLI and TUI hold. It keeps a path, never a connection.

Methods are grouped by concern (`store.plans.transition(...)`, `store.forecasts.add(...)`, …);
each call opens the file, runs one short transaction and closes it again, so any number of
processes can share the file (see storage/db.py and storage/README.md).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import duckdb

from storage import trust
from storage.approvals import ApprovalRepo
from storage.repo_alerts import AlertRepo
from storage.repo_api_keys import ApiKeyRepo
from storage.clock import Clock, system_clock
from storage.backend import Database
from storage.db import ALIAS, DuckDatabase
from storage.errors import InvalidInput, StoreError
from storage.location import PgLocation, is_pg_url
from storage.repo_drivers import DriverRepo
from storage.gdpr import GdprRepo
from storage.outbox import OutboxRepo
from storage.repo_evidence import EvidenceRepo
from storage.repo_forecasts import ForecastRepo
from storage.repo_pins import PinRepo
from storage.repo_plans import PlanRepo
from storage.repo_tenancy import SettingsRepo, SiteRepo, TenantRepo, UserRepo
from storage.retention import RetentionRepo
from storage.schema import ensure_current, read_version


class Store:
    """Facade over one DuckDB file or PostgreSQL database (a `postgresql://` URL).
    `read_only=True` opens nothing for writing and refuses every write."""

    def __init__(
        self, path: str | os.PathLike[str] | PgLocation, *, read_only: bool = False, clock: Clock | None = None,
        busy_timeout: float = 10.0, clock_override: bool = False,
    ) -> None:
        """`clock_override`: `clock` is not the real time (drills, tests, `--now`); records then carry both."""
        self._db: Database
        if isinstance(path, PgLocation) or is_pg_url(path):
            from storage.pg import PgDatabase  # psycopg loads only for a PostgreSQL store

            self._db = PgDatabase(path.url if isinstance(path, PgLocation) else str(path), read_only=read_only, clock=clock or system_clock,
                                     busy_timeout=busy_timeout, clock_override=clock_override)
        else:
            self._db = DuckDatabase(path, read_only=read_only, clock=clock or system_clock,
                                    busy_timeout=busy_timeout, clock_override=clock_override)
        self.tenants = TenantRepo(self._db)
        self.sites = SiteRepo(self._db)
        self.users = UserRepo(self._db)
        self.settings = SettingsRepo(self._db)
        self.forecasts = ForecastRepo(self._db)
        self.plans = PlanRepo(self._db)
        self.approvals = ApprovalRepo(self._db)
        self.drivers = DriverRepo(self._db)
        self.pins = PinRepo(self._db)
        self.retention = RetentionRepo(self._db)
        self.evidence = EvidenceRepo(self._db)
        self.gdpr = GdprRepo(self._db)
        self.outbox = OutboxRepo(self._db)
        self.api_keys = ApiKeyRepo(self._db)
        self.alerts = AlertRepo(self._db)

    @property
    def path(self) -> str:
        """The DuckDB file, or (PostgreSQL) the local base path of the key and heads files."""
        return self._db.path

    @property
    def location(self) -> str:
        """What `--db` named: the file, or the URL without its password."""
        return self._db.describe()

    @property
    def backend(self) -> str:
        return "duckdb" if isinstance(self._db, DuckDatabase) else "postgresql"

    @property
    def read_only(self) -> bool:
        return self._db.read_only

    def init(self) -> int:
        """Create the file or apply pending migrations now (otherwise done on first use); returns the version."""
        with self._db.session(write=not self.read_only) as tx:
            return tx.schema_version()

    def schema_version(self) -> int:
        with self._db.session(write=False) as tx:
            return tx.schema_version()

    def snapshot(self) -> contextlib.AbstractContextManager[None]:
        """`with store.snapshot(): …`: the reads inside share one transaction (one consistent view)."""
        return self._db.snapshot()

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (e.g. before a file-level backup)."""
        with self._db.session(write=True, checkpoint=True):
            pass

    def copy_to(self, dest: str | os.PathLike[str]) -> Path:
        """A consistent copy of the whole store as a DuckDB file, with its key and heads files (drills run on
        a copy, never on the live store)."""
        target = Path(dest).expanduser().resolve()
        if not isinstance(self._db, DuckDatabase):  # a PostgreSQL store: row by row into a new DuckDB file
            from storage.copy import copy_store

            if target.exists():
                raise InvalidInput(f"{target} already exists")
            report = copy_store(self, Store(target, clock=self._db.clock))
            if not report.ok:
                raise StoreError(f"copy to {target} failed: {'; '.join(report.problems)}")
            return target
        if target.exists() or Path(f"{target}.wal").exists():
            raise InvalidInput(f"{target} already exists")
        if str(target) == self.path:
            raise InvalidInput("cannot copy a store onto itself")
        with self._db.connection(write=False) as (conn, now):
            ensure_current(conn, self.path, writable=False, now=now, version=read_version(conn))
            try:
                conn.execute(f"ATTACH '{_sql_str(str(target))}' AS copy_target (READ_WRITE)")
                conn.execute(f"COPY FROM DATABASE {ALIAS} TO copy_target")
                conn.execute("DETACH copy_target")
            except duckdb.Error as exc:
                raise StoreError(f"copy to {target} failed: {exc}") from exc
            os.chmod(target, 0o600)
            for source, dest in ((trust.key_path(self.path), trust.key_path(str(target))),
                                 (trust.heads_path(self.path), trust.heads_path(str(target)))):
                if source.exists():  # the copy's chain verifies with the same key and anchors
                    shutil.copyfile(source, dest)
                    os.chmod(dest, 0o600)
        return target


def _sql_str(text: str) -> str:
    return text.replace("'", "''")
