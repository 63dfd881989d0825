"""engine/ and storage/ must import without Textual (ARCHITECTURE.md)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _modules(package: str) -> list[str]:
    root = REPO / package
    return [package] + [f"{package}.{m.name}" for m in pkgutil.walk_packages([str(root)]) if not m.name.startswith("_")]


def test_engine_and_storage_import_without_textual():
    mods = _modules("engine") + _modules("storage")
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert proc.stdout.strip() == "", f"textual imported by engine/storage: {proc.stdout}"


def test_no_textual_import_statement_in_engine_or_storage():
    for package in ("engine", "storage"):
        for path in (REPO / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "import textual" not in text and "from textual" not in text, path


def test_the_cockpit_starts_without_the_solver_or_the_parsers():
    """Cold start is a budget (≤ 1 s): `solvereign` loads the CLI and the cockpit, and OR-Tools,
    the solver, the forecast parsers and the import contract wait until something uses them."""
    code = (
        "import sys\n"
        "import app.cli, app.commands.tui, app.tui.app\n"
        "heavy = ('ortools', 'engine.solver', 'engine.ingest', 'engine.contract', 'engine.parsers.', 'app.ops.solving',\n"
        "         'app.ops.forecasts', 'app.ops.demo')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert proc.stdout.strip() == "", f"loaded at start: {proc.stdout}"
