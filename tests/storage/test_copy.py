"""`copy_store` / `solvereign store copy`: DuckDB → PostgreSQL → DuckDB gives back the same rows, the
chain verifies on every hop, and the copies go on working (new ids, new records)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import ALICE, WEEK, StepClock, add_forecast, plan_in_state

from app.cli import main
from storage import InvalidInput, Scope, State, Store
from storage.copy import copy_store

SCOPE = Scope.of("acme", "wien", "graz")


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables if t != "schema_version"}


def test_duckdb_to_postgresql_and_back_keeps_every_row_and_the_chain(pg_url: str, tmp_path: Path) -> None:
    first = Store(tmp_path / "a.duckdb", clock=StepClock())
    for site in ("wien", "graz"):
        scope = Scope.of("acme", site)
        fc = add_forecast(first, scope)
        plan_in_state(first, scope, fc, State.LOCKED)
        plan_in_state(first, scope, fc, State.REJECTED)
    first.settings.set_kill_switch(SCOPE, True, actor=ALICE, reason="copy drill for the test")
    pg = Store(pg_url, clock=StepClock())
    there = copy_store(first, pg)
    assert there.ok and there.chains_verified == 2 and there.rows["plans"] == 4 and there.rows["plan_instances"] == 48
    back = copy_store(pg, Store(tmp_path / "b.duckdb"))
    assert back.ok and back.rows == there.rows
    assert contents(tmp_path / "a.duckdb") == contents(tmp_path / "b.duckdb")
    # the copy is a working store: a new plan gets the next id and extends the copied chain
    newer = plan_in_state(pg, Scope.of("acme", "wien"), add_forecast(pg, Scope.of("acme", "wien"), week=WEEK), State.AUDITED)
    assert newer.id == 5 and pg.approvals.verify(SCOPE).ok
    with pytest.raises(InvalidInput, match="already has a key"):
        copy_store(first, pg)


def test_the_cli_copies_and_refuses_a_target_that_is_not_new(pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "a.duckdb"
    store = Store(source, clock=StepClock())
    plan_in_state(store, Scope.of("acme", "wien"), add_forecast(store, Scope.of("acme", "wien")), State.LOCKED)
    assert main(["store", "copy", "--from", str(source), "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "plans 1" in out and "1 chain(s) verify" in out
    assert main(["store", "copy", "--from", str(source), "--to", pg_url]) == 2
    assert "already has a key" in capsys.readouterr().err
    assert main(["store", "copy", "--from", str(tmp_path / "missing.duckdb"), "--to", str(tmp_path / "c.duckdb")]) == 1
