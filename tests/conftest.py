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

