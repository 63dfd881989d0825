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
