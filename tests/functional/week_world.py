"""A demo-week store with the people of Thursday to Sunday: admin, dispatcher, ops lead, on-call, viewer.

Shared by the repair/edit tests and the drill tests (kept out of conftest.py so tests import it by name).
"""

from __future__ import annotations

from pathlib import Path
from ops_world import Result, cli

NOW = "2026-01-01T12:00"  # Thursday before the demo week (Mon 2026-01-05): nothing frozen, lock window open
THURSDAY = "2026-01-08T12:00"  # inside the week: Mon–Thu and Fri until 00:00 are frozen (720 min)
ADMIN, DISPATCHER, OPS_LEAD, ON_CALL, VIEWER = "adam", "dora", "olga", "otto", "vera"
REASON = "Weekly schedule approval"
LOCK_REASON = "Final lock for export"
SICK = "sick call from the depot"


def ok(r: Result) -> Result:
    assert r.code == 0, r
    return r


def build_week(root: Path) -> Path:
    db = root / "week.duckdb"
    ok(cli(db, "demo", "--time-limit", "5", "--json", login=ADMIN, now=NOW))
    for login, role in ((DISPATCHER, "dispatcher"), (OPS_LEAD, "ops_lead"), (ON_CALL, "on_call"), (VIEWER, "viewer")):
        ok(cli(db, "users", "add", login, "--role", role, "--tenant", "demo", "--sites", "wien", login=ADMIN, now=NOW))
    return db


def assignments(db: Path, run_id: int) -> dict[str, str]:
    from storage.scope import Scope
    from storage.store import Store

    return Store(db, read_only=True).plans.detail(Scope.of("demo", "wien"), run_id).assignments


def publish_lock(db: Path, run_id: int, now: str = NOW, lock: bool = True) -> None:
    """Publish (with a second approver when the version has warnings) and lock."""
    first = ok(cli(db, "publish", str(run_id), "--reason", REASON, login=DISPATCHER, now=now))
    if "first approval" in first.out:
        ok(cli(db, "publish", str(run_id), "--reason", REASON, login=OPS_LEAD, now=now))
    if lock:
        ok(cli(db, "lock", str(run_id), "--reason", LOCK_REASON, login=DISPATCHER, now=now))
