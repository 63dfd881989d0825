"""End-to-end tests in a real terminal: the installed `solvereign` inside tmux.

Skipped cleanly where tmux is absent (`.ci/run` installs it). The terminal driver is in
e2e_terminal.py; the store is the cockpit tests' world (tests/tui/tui_world.py).
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tui"))

import tui_world as world  # noqa: E402
from e2e_terminal import PROMPT, TMUX, Terminal  # noqa: E402, F401
from os_identity import as_login_command  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if TMUX is None:
                item.add_marker(pytest.mark.skip(reason="tmux is not installed (apt-get install tmux)"))


@pytest.fixture(scope="session")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return world.base_store(tmp_path_factory.getbasetemp())


@pytest.fixture
def store(base_store: Path, tmp_path: Path) -> Path:
    return world.copy_store(base_store, tmp_path / "store" / "cockpit.duckdb")


@pytest.fixture
def terminal(store: Path, tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """`terminal(login="dana", **env)` → a Terminal in the store's folder (a private HOME)."""
    opened: list[Terminal] = []
    home = tmp_path / "home"
    home.mkdir()

    def open_terminal(login: str = "dana", **extra: str) -> Terminal:
        # `solvereign` in this terminal acts as `login`: a shim that runs the identity launcher
        # (tests/os_identity.py), since the program itself takes the person from the real uid only
        shims = home / f"bin-{login}"
        shims.mkdir(exist_ok=True)
        shim = shims / "solvereign"
        shim.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(a) for a in as_login_command(login)) + ' "$@"\n')
        shim.chmod(0o755)
        env = {
            "HOME": str(home), "PATH": f"{shims}:{Path(sys.executable).parent}:/usr/bin:/bin",
            "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "SOLVEREIGN_CONFIG": str(home / "none.toml"), "SOLVEREIGN_DRILL": "1",
            **extra,
        }
        term = Terminal(f"solvereign-e2e-{os.getpid()}-{len(opened)}", store.parent, env)
        opened.append(term)
        return term

    yield open_terminal
    for term in opened:
        term.close()
