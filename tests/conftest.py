"""Shared test helpers: where the real field data lives, and the fixture forecasts."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "forecasts"
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_file(name: str) -> Path:
    """A real forecast from ../shared/data, or a clean skip where it is absent."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture
def fixture_bytes():
    return lambda name: (FIXTURES / name).read_bytes()
