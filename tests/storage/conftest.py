from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(1, str(Path(__file__).parent))  # the helpers module beside this file

from helpers import StepClock  # noqa: E402

from storage import Scope, Store  # noqa: E402


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def store(tmp_path: Path, clock: StepClock) -> Store:
    s = Store(tmp_path / "cockpit.duckdb", clock=clock)
    s.init()
    return s


@pytest.fixture
def scope() -> Scope:
    return Scope.of("acme", "wien", "graz")
