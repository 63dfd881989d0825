"""What the repositories need from a store backend: short scoped transactions and read snapshots.

Two implementations: `storage.db.DuckDatabase` (one DuckDB file, the embedded default) and
`storage.pg.PgDatabase` (a PostgreSQL database, for deployments past one host). Repositories see
only this protocol and a `Tx`; the SQL they write is DuckDB's dialect, which `storage.pg_sql`
translates for PostgreSQL.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from storage.clock import Clock
from storage.db import Tx


class Database(Protocol):
    path: str  # the DuckDB file, or the local base path of a PostgreSQL store's key and heads files
    read_only: bool
    clock: Clock
    clock_override: bool

    def session(self, *, write: bool, checkpoint: bool = False, system: bool = False) -> AbstractContextManager[Tx]:
        """One transaction. `system`: an unscoped lookup (sign-in, the server's job list) that PostgreSQL's
        row-level security lets through; every other session sees only the scope of the calling method."""
        ...

    def snapshot(self) -> AbstractContextManager[None]: ...

    def describe(self) -> str:
        """What to name in messages (the file, or the URL without its password)."""
        ...

    def compact(self) -> None:
        """Leave no copy of deleted or overwritten rows in the storage files (after a GDPR erasure)."""
        ...
