"""Which backend a `--db` value names, without importing either driver (the cockpit starts fast)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")


def is_pg_url(location: object) -> bool:
    return str(location).startswith(SCHEMES)


def masked(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def trust_base(url: str) -> Path:
    """Where this database's key and heads files live on this host (storage/trust.py adds .key / .heads)."""
    parts = urlsplit(url)
    folder = Path(os.environ.get("SOLVEREIGN_TRUST_DIR") or Path.home() / ".local" / "share" / "solvereign" / "postgresql")
    host = (parts.hostname or "local").replace("/", "_")
    name = f"{host}-{parts.port or 5432}-{parts.path.lstrip('/') or 'postgres'}"
    return folder.expanduser().resolve() / name


class PgLocation:
    """A PostgreSQL store where the app holds a store path: `exists()` (a schema is there), `parent`
    (this host's folder for its key and heads files), and `str()` without the password."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        return masked(self.url)

    def __repr__(self) -> str:
        return f"PgLocation({masked(self.url)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PgLocation) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    @property
    def parent(self) -> Path:
        return trust_base(self.url).parent

    def expanduser(self) -> PgLocation:
        return self

    def exists(self) -> bool:
        """Whether the database is reachable and holds a store (a schema_version table)."""
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=5) as conn:
                return conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone() == (True,)
        except psycopg.Error:
            return False


def local_base(location: Path | PgLocation) -> str:
    """What `Store.path` will be: the DuckDB file, or this host's base path for a PostgreSQL store's
    key, heads and drill files."""
    return str(trust_base(location.url)) if isinstance(location, PgLocation) else str(location)


def store_location(value: str) -> Path | PgLocation:
    """A `--db` value: a `postgresql://` URL, or a DuckDB file path."""
    return PgLocation(value) if is_pg_url(value) else Path(value).expanduser()
