"""Shared by every test folder: tests/ on sys.path (for testdata.py), and a clean environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session", autouse=True)
def _clean_environment() -> Iterator[None]:
    """No user config, store or clock from the machine leaks into the tests. The suite runs in drill
    mode (SOLVEREIGN_DRILL=1: anyone's `--now` is honoured, and recorded as an override) because its
    worlds live in weeks of the past; the tests of the clock policy remove it (tests/os_identity.py)."""
    with pytest.MonkeyPatch.context() as mp:
        for key in ("SOLVEREIGN_DB", "SOLVEREIGN_NOW", "SOLVEREIGN_THEME"):
            mp.delenv(key, raising=False)
        mp.setenv("SOLVEREIGN_CONFIG", os.devnull)
        mp.setenv("SOLVEREIGN_DRILL", "1")
        mp.setenv("SOLVEREIGN_LANG", "en")  # the suite reads English whatever the machine's locale; tests/*i18n* say otherwise
        yield


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """A test that switched this process to German (the CLI's `main`, a German snapshot) leaves English behind."""
    yield
    from app.i18n import set_language

    set_language("en")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """One throwaway PostgreSQL cluster for the whole run (tests/pg_cluster.py). Without server binaries the
    PostgreSQL tests skip, except under CI, where that is a failure."""
    from pg_cluster import Cluster, find_bindir

    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no PostgreSQL server binaries were found (initdb, pg_ctl)")
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    cluster = Cluster(bindir)
    try:
        yield cluster
    finally:
        from storage.pg import close_pools

        close_pools()
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL store (current schema, no rows); its key and heads files under tmp_path."""
    from storage.pg import close_pools

    monkeypatch.setenv("SOLVEREIGN_TRUST_DIR", str(tmp_path / "trust"))
    url = pg_cluster.fresh_database()  # type: ignore[attr-defined]
    yield url
    close_pools(url)
