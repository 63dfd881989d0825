"""The store on PostgreSQL: the same repositories over a psycopg 3 connection pool.

Each store call borrows a pooled connection and runs one explicit transaction, like the DuckDB
backend, with three differences that keep the DuckDB semantics on a shared server:

* **Writers are serialised** by one transaction-scoped advisory lock (`pg_schema.WRITE_LOCK`), taken
  first: repositories read-then-write (next approval seq, next plan version), which DuckDB's single
  writer made safe; the lock keeps it safe across any number of processes and hosts. Reads take no lock
  and run as one `REPEATABLE READ READ ONLY` transaction (a consistent view, as a DuckDB snapshot).
* **Every transaction runs as the application role** (`SET LOCAL ROLE solvereign_app` through
  `set_config`) with the calling method's scope in `solvereign.tenant` / `solvereign.sites`
  (storage/scope.py `CURRENT`), so row-level security confines it even if a WHERE clause is missing.
  Only the sign-in lookups open `system` sessions.
* The chain key and heads file (storage/trust.py) live on the host, not in the database:
  `$SOLVEREIGN_TRUST_DIR/<host>-<port>-<database>.key` / `.heads` (default ~/.local/share/solvereign/postgresql).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from storage.clock import Clock, system_clock, to_db
from storage.db import Tx
from storage.errors import ReadOnlyStore, StoreBusy, StoreError, StoreMissing
from storage.location import masked, trust_base
from storage.pg_schema import APP_ROLE, WRITE_LOCK, ensure_current, read_version
from storage.pg_sql import translate
from storage.scope import CURRENT

_local = threading.local()
_pools: dict[tuple[int, str], ConnectionPool] = {}
_pools_lock = threading.Lock()


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.autocommit = True  # transactions are explicit, as in the DuckDB backend
    conn.adapters.register_loader("json", TextLoader)  # JSON columns come back as text, as from DuckDB


def pool_for(url: str) -> ConnectionPool:
    """One pool per URL and process (rebuilt after a fork)."""
    key = (os.getpid(), url)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = ConnectionPool(url, min_size=1, max_size=8, configure=_configure, open=True,
                                  name=f"solvereign-{os.getpid()}")
            _pools[key] = pool
        return pool


def sites_literal(sites: Sequence[str]) -> str:
    """A text[] literal (quoted, so any site code is safe)."""
    return "{" + ",".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in sites) + "}"


def _rollback(conn: psycopg.Connection[Any]) -> None:
    if not conn.closed:
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            pass  # a broken connection: the pool discards it, the server rolled back


def _set_scope(conn: psycopg.Connection[Any], *, system: bool) -> None:
    """The application role and the calling method's scope (storage/scope.py `CURRENT`) for the rest of
    the transaction; no scope and not `system` sees nothing."""
    scope = CURRENT.get()
    conn.execute(
        "SELECT set_config('solvereign.tenant', %s, true), set_config('solvereign.sites', %s, true), "
        "set_config('solvereign.system', %s, true), set_config('solvereign.purge', 'off', true), set_config('role', %s, true)",
        [scope.tenant if scope else "", sites_literal(sorted(scope.sites)) if scope else "{}", "on" if system else "off", APP_ROLE],
    )


class PgTx(Tx):
    """`Tx` over a psycopg connection: DuckDB SQL translated (storage/pg_sql.py)."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.conn.execute(translate(sql), list(params or []))

    def one(self, sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
        return self.conn.execute(translate(sql), list(params or [])).fetchone()

    def all(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(translate(sql), list(params or [])).fetchall()

    def changed(self, sql: str, params: Sequence[Any] | None = None) -> int:
        return int(self.conn.execute(translate(sql), list(params or [])).rowcount)

    def insert_columns(self, table: str, first: Any, columns: Sequence[Sequence[Any]]) -> None:
        self.insert_rows(table, [(first, *row) for row in zip(*columns, strict=True)])

    def insert_rows(self, table: str, rows: Sequence[Sequence[Any]]) -> None:
        """Pipelined executemany (COPY FROM is not allowed under row-level security)."""
        if rows:
            marks = ", ".join(["%s"] * len(rows[0]))
            with self.conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    def advance_sequence(self, name: str, value: int) -> None:
        self.conn.execute("SELECT setval(%s, greatest(%s, 1), %s)", [name, value, value > 0])

    def unscoped_lookup(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        self.conn.execute("SELECT set_config('solvereign.system', 'on', true)")
        try:
            return self.one(sql, params)
        finally:
            self.conn.execute("SELECT set_config('solvereign.system', 'off', true)")

    def purging(self) -> None:
        self.conn.execute("SELECT set_config('solvereign.purge', 'on', true)")


class PgDatabase:
    """A PostgreSQL database reached through a pool; the owner in the URL migrates, the app role works."""

    def __init__(
        self, url: str, *, read_only: bool, clock: Clock = system_clock, busy_timeout: float = 10.0,
        clock_override: bool = False,
    ) -> None:
        self.url = url
        self.path = str(trust_base(url))
        self.read_only = read_only
        self.clock = clock
        self.clock_override = clock_override
        self.busy_timeout = busy_timeout
        self._ready = False

    def describe(self) -> str:
        return masked(self.url)

    def compact(self) -> None:
        """PostgreSQL drops dead row versions itself (autovacuum; VACUUM FULL at once: README)."""

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection to a current schema (migrated on first use unless read-only)."""
        try:
            with pool_for(self.url).connection(timeout=self.busy_timeout) as conn:
                if not self._ready:
                    self._prepare(conn)
                yield conn
        except PoolTimeout as exc:
            raise StoreBusy(self.describe(), self.busy_timeout, None, "other sessions of this process") from exc
        except psycopg.OperationalError as exc:
            raise StoreError(f"cannot open store {self.describe()}: {str(exc).strip().splitlines()[0]}") from exc

    def _prepare(self, conn: psycopg.Connection[Any]) -> None:
        if self.read_only and read_version(conn) == 0:
            raise StoreMissing(f"store {self.describe()} has no schema yet")
        ensure_current(conn, self.describe(), writable=not self.read_only, now=to_db(self.clock()))
        if not self.read_only:  # the key and heads files go here with the first record
            Path(self.path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._ready = True

    @contextmanager
    def session(self, *, write: bool, checkpoint: bool = False, system: bool = False) -> Iterator[Tx]:
        """One transaction as the application role, inside the calling method's scope (`checkpoint`: DuckDB only)."""
        shared = getattr(_local, "snapshot", None)
        if shared is not None and shared[0] == self.url:
            if write:
                raise RuntimeError("no writes inside a read snapshot")
            _set_scope(shared[1].conn, system=system)  # each read of a snapshot inside its own method's scope
            yield shared[1]
            return
        if write and self.read_only:
            raise ReadOnlyStore(f"store {self.describe()} is open read-only; this action needs write access")
        if getattr(_local, "active", False):
            raise RuntimeError("nested store sessions are not allowed (one transaction per operation)")
        _local.active = True
        try:
            with self.connection() as conn:
                yield from self._transaction(conn, write=write, system=system)
        finally:
            _local.active = False

    def _transaction(self, conn: psycopg.Connection[Any], *, write: bool, system: bool) -> Iterator[Tx]:
        conn.execute("BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            if write:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            _set_scope(conn, system=system)
            now = to_db(self.clock())
            real = to_db(system_clock()) if self.clock_override else now
            tx = PgTx(conn=conn, now=now, writable=write, store_path=self.path, real_now=real,
                      clock_override=self.clock_override)
            yield tx
            conn.execute("COMMIT")
        except psycopg.OperationalError:
            _rollback(conn)
            raise
        except psycopg.DatabaseError as exc:  # a rule of the database refused it: one line, nothing written
            _rollback(conn)
            raise StoreError(f"store {self.describe()} refused the change: {str(exc).strip().splitlines()[0]}") from exc
        except BaseException:
            _rollback(conn)
            raise
        for hook in tx.after_commit:
            hook()

    @contextmanager
    def queue_session(self, *, write: bool, system: bool = False) -> Iterator[Tx]:
        """A transaction on the job queue only: row locks (SKIP LOCKED) instead of the writers' lock, so a
        claim never waits behind a store write and workers never wait for each other."""
        if write and self.read_only:
            raise ReadOnlyStore(f"store {self.describe()} is open read-only; this action needs write access")
        with self.connection() as conn:
            conn.execute("BEGIN")
            try:
                _set_scope(conn, system=system)
                now = to_db(self.clock())
                tx = PgTx(conn=conn, now=now, writable=write, store_path=self.path, real_now=now)
                yield tx
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads of this thread inside the block share one read-only transaction."""
        with self.session(write=False) as tx:
            _local.snapshot = (self.url, tx)
            try:
                yield
            finally:
                _local.snapshot = None


def close_pools(url: str | None = None) -> None:
    """Close this process's pools (of one URL, or all): tests dropping databases, clean shutdown."""
    with _pools_lock:
        for key in [k for k in _pools if url is None or k[1] == url]:
            _pools.pop(key).close()
