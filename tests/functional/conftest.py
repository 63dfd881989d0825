"""Fixtures of the ops and CLI tests; the world and its helpers live in ops_world.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from notify_servers import smtp, webhook  # noqa: F401 (the loopback SMTP and webhook fixtures)
from ops_world import World, build_world, clone_store, drop_store


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def world(world_template: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """This module's own copy of the world (read-only use, or changes the module owns)."""
    db = clone_store(world_template.db, tmp_path_factory.mktemp("module") / "world.duckdb")
    yield World(db=db, forecasts=world_template.forecasts, runs=world_template.runs, files=world_template.files)
    drop_store(db)


@pytest.fixture
def fresh_world(world_template: World, tmp_path: Path) -> Iterator[World]:
    """A private copy of the world for one test that changes it."""
    db = clone_store(world_template.db, tmp_path / "world.duckdb")
    yield World(db=db, forecasts=world_template.forecasts, runs=world_template.runs, files=world_template.files)
    drop_store(db)
