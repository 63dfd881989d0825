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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `duckdb_file` are about the DuckDB file itself (attach modes, the busy holder, file
    copies): they have no PostgreSQL variant (test_pg.py covers the PostgreSQL side of the same rules)."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        (drop if item.get_closest_marker("duckdb_file") and params.get("backend") == "postgresql" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(params=["duckdb", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every test using `store` runs on both backends."""
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path, clock: StepClock, request: pytest.FixtureRequest) -> Store:
    location = request.getfixturevalue("pg_url") if backend == "postgresql" else tmp_path / "cockpit.duckdb"
    s = Store(location, clock=clock)
    s.init()
    return s


@pytest.fixture
def scope() -> Scope:
    return Scope.of("acme", "wien", "graz")
