"""What makes the approval chain hard to rewrite: a per-store key and an anchor outside the file.

* `<store>.key` holds 32 random bytes (hex), created with the store's permissions (0600 by default).
  Records are HMAC-SHA256 over their canonical JSON with this key, so rehashing an edited record and
  its successors needs the key, not only write access to the DuckDB file.
* `<store>.heads` is an append-only text file: one JSON line per new chain head (tenant, site, seq,
  hash), written after the transaction commits. Deleting the newest records (or all of them) and
  moving `approval_chains` back no longer verifies: the file remembers a later head. A chain's first
  transaction writes an opening line (seq 0, the genesis hash) before it commits, so a process killed
  between that commit and its first head line leaves a chain the file knows, with nothing proven yet,
  not one it has never heard of (which reads as a removed anchor).
* Content hashes (instances, assignments) are recomputed from the stored rows, so a record proves
  what the plan held when it was written.

None of this stops someone who can write the store, the key and the heads file alike (see the
README's threat model); it turns a silent edit into one `log --verify` reports.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import stat
from hashlib import sha256
from pathlib import Path
from typing import Any

from engine.content import rows_hash
from engine.models import canonical_dumps, sha256_prefixed
from storage.errors import StoreError

HMAC_PREFIX = "hmac-sha256:"
EMPTY = sha256_prefixed("[]")


def key_path(store_path: str) -> Path:
    return Path(f"{store_path}.key")


def heads_path(store_path: str) -> Path:
    return Path(f"{store_path}.heads")


def companion_files(store_path: str | os.PathLike[str]) -> list[Path]:
    """The files that belong to a store beside the DuckDB file: copy them with it (a copy without its key
    cannot extend its chain; without its heads file it cannot prove its tail)."""
    return [key_path(str(store_path)), heads_path(str(store_path))]


def private_mode(store_path: str) -> int:
    """0600, or the store file's own group bits (an install shared by a group uses 0660 on all three)."""
    try:
        return 0o600 | (stat.S_IMODE(os.stat(store_path).st_mode) & 0o060)
    except OSError:
        return 0o600


def load_key(store_path: str, *, create: bool) -> bytes | None:
    """The store's secret; created on first need when `create` (a new chain), else None if absent."""
    path = key_path(store_path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            return None
        return _create_key(path, private_mode(store_path))
    except OSError as exc:
        raise StoreError(f"cannot read the store key {path}: {exc.strerror or exc}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise StoreError(f"store key {path} is damaged (not hex)") from None
    if len(key) < 32:
        raise StoreError(f"store key {path} is damaged (too short)")
    return key


def _create_key(path: Path, mode: int) -> bytes:
    """Written whole to a private temporary file, then linked into place (exclusive, like O_EXCL) after
    the heads file exists: a crash at any step leaves no key, or a whole key beside its heads file (an
    empty key would lock the store out; a key without its heads file reads as a removed anchor)."""
    store_path = str(path)[: -len(".key")]
    key = secrets.token_bytes(32)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            os.fchmod(fd, mode)  # whatever the umask
            os.write(fd, (key.hex() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.close(os.open(heads_path(store_path), os.O_WRONLY | os.O_CREAT | os.O_APPEND, mode))  # a key without it = removed
        os.link(tmp, path)
    except FileExistsError:  # another process created it first: use theirs
        return load_key(store_path, create=False) or key
    finally:
        tmp.unlink(missing_ok=True)
    return key


def keyed_hash(key: bytes, payload: dict[str, Any]) -> str:
    return HMAC_PREFIX + hmac.new(key, canonical_dumps(payload).encode("utf-8"), sha256).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def append_head(store_path: str, tenant: str, site: str, seq: int, digest: str, *, sync: bool = False) -> None:
    """One line per new head, appended (O_APPEND: concurrent writers never interleave a line); `sync`
    when the line must be on disk before the transaction commits (a chain's opening line)."""
    path = heads_path(store_path)
    line = json.dumps({"tenant": tenant, "site": site, "seq": seq, "hash": digest}, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, private_mode(store_path))
    try:
        os.write(fd, line.encode("utf-8"))
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def anchored_heads(store_path: str) -> tuple[dict[tuple[str, str], tuple[int, str]], list[str]]:
    """The highest head the file remembers per (tenant, site), and its unreadable lines (seq 0: the chain
    was opened, no head proven yet)."""
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    problems: list[str] = []
    try:
        text = heads_path(store_path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return heads, problems
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            key, seq, digest = (str(doc["tenant"]), str(doc["site"])), int(doc["seq"]), str(doc["hash"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"line {n} of {heads_path(store_path).name} is unreadable")
            continue
        if key not in heads or seq >= heads[key][0]:
            heads[key] = (seq, digest)
    return heads, problems


def instances_hash(rows: list[tuple[Any, ...]]) -> str:
    """SHA-256 over the plan's instance rows as stored (sorted by instance id; engine/content.py)."""
    return rows_hash([[*r[:6], [list(s) for s in r[6]], *r[7:11]] for r in rows])


def assignments_hash(rows: list[tuple[Any, ...]]) -> str:
    return rows_hash([[r[0], r[1]] for r in rows])
