"""A store a server owns: the marker file `<store>.server` next to it names the serving process.

While `solvereign serve` runs, it is the only process that writes the store; a local writer (the
CLI or the cockpit without `--api`) is refused with a message naming the server, so nobody
changes a plan behind the server's solve queue and idempotency records."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _
from app.errors import EXIT_BLOCKED, UserError
from storage.location import is_pg_url


@dataclass(frozen=True)
class Owner:
    pid: int
    host: str
    url: str


def marker_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(f"{Path(db_path).expanduser().resolve()}.server")


def process_alive(pid: int) -> bool:
    """Whether a process of this host still exists (someone else's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def current_owner(db_path: str | os.PathLike[str]) -> Owner | None:
    """The live server owning the store (a marker left by a killed server on this host is ignored)."""
    if is_pg_url(str(db_path)):
        return None
    try:
        raw = json.loads(marker_path(db_path).read_text(encoding="utf-8"))
        owner = Owner(pid=int(raw["pid"]), host=str(raw["host"]), url=str(raw["url"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if owner.host == socket.gethostname() and not process_alive(owner.pid):
        return None
    return owner


def refuse_if_owned(db_path: str | os.PathLike[str]) -> None:
    owner = current_owner(db_path)
    if owner is not None and owner.pid != os.getpid():
        raise UserError(
            _("blocked: store {db_path} is served by {url} (PID {pid} on {host}); use --api {url} (or SOLVEREIGN_API) instead of writing it locally").format(db_path=db_path, url=owner.url, pid=owner.pid, host=owner.host),
            EXIT_BLOCKED,
        )


def claim(db_path: str | os.PathLike[str], url: str) -> Path | None:
    """Write the marker for this process; refuse when another live server owns the store. A PostgreSQL
    store has no marker: any number of servers share it (the database serialises their writes)."""
    if is_pg_url(str(db_path)):
        return None
    refuse_if_owned(db_path)
    path = marker_path(db_path)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "url": url}), encoding="utf-8")
    os.replace(tmp, path)
    return path


def release(db_path: str | os.PathLike[str]) -> None:
    """Remove the marker if it is this process's own."""
    owner = current_owner(db_path)
    if owner is not None and owner.pid == os.getpid() and owner.host == socket.gethostname():
        marker_path(db_path).unlink(missing_ok=True)
