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
        yield
