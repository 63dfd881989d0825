"""Fixtures of the cockpit tests: the world's store (built once per session), private copies,
the constant-path copy for snapshots, and the app factory. Helpers live in tui_helpers.py."""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tui_world as world  # noqa: E402
from tui_helpers import SNAP_DIR, SNAP_STORE, make_cockpit  # noqa: E402

from app.tui.app import CockpitApp  # noqa: E402


@pytest.fixture(scope="session")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return world.base_store(tmp_path_factory.getbasetemp())


@pytest.fixture
def store(base_store: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the world's store."""
    return world.copy_store(base_store, tmp_path / "store" / "cockpit.duckdb")


@pytest.fixture(scope="session")
def snapshot_store(base_store: Path) -> Iterator[Path]:
    """The world's store at a constant path, for the snapshots (they never write)."""
    SNAP_DIR.mkdir(parents=True, exist_ok=True)
    with open(SNAP_DIR.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            world.copy_store(base_store, SNAP_STORE)
            yield SNAP_STORE
        finally:
            for suffix in ("", ".wal"):
                Path(f"{SNAP_STORE}{suffix}").unlink(missing_ok=True)
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def cockpit(store: Path) -> Callable[..., CockpitApp]:
    """`cockpit(login="dana", read_only=False, refresh=0, db=None)` → a CockpitApp on the private store."""

    def make(login: str = "dana", *, db: Path | None = None, **kw) -> CockpitApp:
        return make_cockpit(db or store, login, **kw)

    return make


