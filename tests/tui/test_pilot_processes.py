"""Another OS process changes the store while the cockpit is open.

The cockpit holds no DuckDB connection between operations: a second process can write
(a DuckDB file has one writer process at a time, so the write would fail otherwise), the
store file is not among this process's open files, and the change shows up after `r` or
the automatic refresh.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import psutil
import tui_world as world
from tui_helpers import open_run, press, running, session, settle, text_of, until

from app.ops.runs import publish


def holds(db: Path) -> bool:
    """Does this process have the store file (or its WAL) open? Call it when no worker runs:
    during an operation the cockpit does hold a connection (briefly)."""
    names = {str(db.resolve()), f"{db.resolve()}.wal"}
    return any(f.path in names for f in psutil.Process().open_files())


def state_cell(app, run_id: int) -> str:
    table = app.query_one("#runs-table")
    return table.row_text(table.visible_keys.index(str(run_id)))[3]


async def test_a_lock_by_another_process_shows_after_r(cockpit, store):
    # the probe sees a held connection (so its silence below means something)
    con = duckdb.connect(str(store), read_only=True)
    assert holds(store)
    con.close()
    assert not holds(store)

    publish(session(store, "dana"), world.DEMO_RUN, "published before")
    app = cockpit("dana")
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        assert app.run_view.run.state == "PUBLISHED" and app.check_action("lock", ())
        await press(pilot, "3", "5", "2")  # every section read the store
        assert not holds(store)

        done = world.cli(store, "lock", str(world.DEMO_RUN), "--reason", "locked at the depot", login="olga")
        assert done.returncode == 0, done.stderr
        assert "locked (PUBLISHED → LOCKED)" in done.stdout
        assert state_cell(app, world.DEMO_RUN) == "PUBLISHED"  # not refreshed yet

        await press(pilot, "r")
        assert state_cell(app, world.DEMO_RUN) == "LOCKED"
        assert app.run_view.run.state == "LOCKED"
        assert "LOCKED" in text_of(app, "#review-title") and "olga" in text_of(app, "#review-approvals")
        assert app.check_action("lock", ()) is None  # nothing left to lock
        assert not holds(store)


async def test_the_runs_list_refreshes_itself(cockpit, store):
    app = cockpit("dana", refresh=0.5)
    async with running(app, (80, 24)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        assert state_cell(app, world.DEMO_RUN) == "AUDITED"
        done = world.cli(store, "publish", str(world.DEMO_RUN), "--reason", "published at the depot", login="olga")
        assert done.returncode == 0, done.stderr
        await until(pilot, lambda: state_cell(app, world.DEMO_RUN) == "PUBLISHED", timeout=15, what="the auto refresh")
        # the open review follows (its state version changed)
        await until(pilot, lambda: app.run_view.run.state == "PUBLISHED", timeout=15, what="the review to reload")
        # between two refreshes (no worker running; nothing can start before the check) no connection is open
        await settle(pilot)
        assert not holds(store)
