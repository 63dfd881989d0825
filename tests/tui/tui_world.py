"""The cockpit tests' world: one deterministic store, built once per session through the ops layer.

Tenant `acme`, sites `wien` and `graz`, a fixed clock (Thursday 2026-01-01 09:00 Vienna; the
week under review starts Monday 2026-01-05, so the lock window is open), and four people:

    alice  platform_admin (created the store)     dana  dispatcher
    olga   ops_lead                               vic   viewer

Two forecasts, both imported and solved by dana, both AUDITED with 7/7 audits:

    run 1  wien, a generated week (240 tours, seed 7). The solver gets a short limit that
           leaves only its deterministic first stages, so the plan is the same on every run
           and machine; it keeps many part-timers, so publishing needs two approvers.
    run 2  graz, the demo week (252 tours): proven optimal at once, no warnings, so one
           dispatcher can publish and lock it.
    run 3  graz, a hand repair of run 2 (stored through the store's plan repository, as a
           repair would be) that gives one driver two overlapping tours: the overlap audit
           FAILS, so publish is disabled with a reason and the review lists offending rows.

`tests/e2e` imports this module too (it puts this folder on sys.path), so both layers look
at the same data. The file is checkpointed: a plain file copy is a consistent store.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from os_identity import as_login_command
import sys
from pathlib import Path

from app.ops import admin
from app.ops.alerts import ack as ack_alert, visible_alerts
from app.ops.demo import demo_week_bytes
from app.ops.forecasts import import_forecast
from app.ops.session import open_session
from app.ops.solving import solve_forecast
from engine.audits import run_audits
from engine.clock import parse_now
from engine.kpis import compute_kpis
from engine.rules import DEFAULT_CONFIG
from engine.hashing import output_hash
from fixtures.generator import generate_week
from storage.models import AuditResult, NewPlan, PlanResult

NOW = "2026-01-01T09:00"  # Thursday; the fixture week starts Monday 2026-01-05
ANCHOR = "2026-01-05"
TENANT, SITE, SITE2 = "acme", "wien", "graz"
ADMIN = "alice"
USERS = {"dana": "dispatcher", "olga": "ops_lead", "vic": "viewer"}
GEN_TOURS, GEN_SEED = 240, 7
# a limit below the reserve for the final audit: only the first (construct) plan is made,
# a plan that does not depend on machine load, so snapshots stay stable
GEN_TIME_LIMIT = 0.01
DEMO_TIME_LIMIT = 5.0
GEN_RUN, DEMO_RUN, BROKEN_RUN = 1, 2, 3
REASON = "checked with the depot lead"
SOLVEREIGN = Path(sys.executable).with_name("solvereign")

_built: dict[str, Path] = {}


def clock():
    return parse_now(NOW)


def build_store(path: Path) -> Path:
    """Create the world's store at `path` (a new file) and checkpoint it."""
    c = clock()
    admin.init_store(path, c, ADMIN, TENANT, SITE, name="Alice Admin")
    admin.set_site(open_session(path, c, ADMIN), SITE2, True, reason="second depot opened")
    s = open_session(path, c, ADMIN)
    for login, role in USERS.items():
        admin.add_user(s, login, role=role, tenant=TENANT, sites=[SITE, SITE2], name=login.title())
    dana = open_session(path, c, "dana")
    week = path.parent / "generated_week.csv"
    week.write_text(generate_week(GEN_TOURS, seed=GEN_SEED), encoding="utf-8")
    demo = path.parent / "demo_week.csv"
    demo.write_bytes(demo_week_bytes())
    f1 = import_forecast(dana, week, site=SITE, anchor=ANCHOR).forecast
    f2 = import_forecast(dana, demo, site=SITE2, anchor=ANCHOR).forecast
    assert f1 is not None and f2 is not None
    run1, _ = solve_forecast(dana, f1.id, time_limit=GEN_TIME_LIMIT)
    run2, result2 = solve_forecast(dana, f2.id, time_limit=DEMO_TIME_LIMIT)
    assert (run1.id, run1.state, run1.audits_passed) == (GEN_RUN, "AUDITED", 7), run1
    assert (run2.id, run2.state, run2.audits_passed) == (DEMO_RUN, "AUDITED", 7), run2
    assert result2 is not None and result2.status == "OPTIMAL", result2.status if result2 else None
    run3 = add_broken_repair(dana, DEMO_RUN)
    assert (run3.id, run3.state) == (BROKEN_RUN, "AUDITED") and run3.audits_passed < 7, run3
    olga = open_session(path, c, "olga")  # run 1's short limit raised a solver-timeout alert (S2), on purpose:
    for alert in visible_alerts(olga):  # acknowledged, so the cockpit opens without a banner (test_pilot_alerts raises its own)
        ack_alert(olga, alert.id, "the short solver limit is on purpose")
    dana.store.checkpoint()
    return path


def add_broken_repair(s, parent_id: int):
    """A repair of `parent_id` that moves one tour onto a driver already busy at that time."""
    parent = s.store.plans.detail(s.scope, parent_id)
    by_id = {i.id: i for i in parent.instances}
    assignments = dict(parent.assignments)
    ordered = sorted(parent.instances, key=lambda i: (i.day, i.start, i.id))
    a, b = next(
        (a, b) for a in ordered for b in ordered
        if a.day == b.day and a.id < b.id and assignments[a.id] != assignments[b.id] and a.start < b.end and b.start < a.end
    )
    assignments[b.id] = assignments[a.id]
    instances = [by_id[i] for i in sorted(by_id)]
    audits = run_audits(instances, assignments, DEFAULT_CONFIG)
    kpis = compute_kpis(instances, assignments, DEFAULT_CONFIG, audits)
    cfg = DEFAULT_CONFIG.config_hash()
    plan = s.store.plans.create(
        s.scope, NewPlan(forecast_id=parent.summary.forecast_id, kind="repair", parent_plan_id=parent_id,
                         seed=parent.summary.seed, solver_config_hash=cfg), s.actor,
    )
    plan = s.store.plans.transition(s.scope, plan.id, "solve", expected_version=plan.state_version, actor=s.actor).plan
    plan = s.store.plans.record_result(
        s.scope, plan.id, plan.state_version,
        PlanResult(instances=instances, assignments=assignments, output_hash=output_hash(assignments, cfg),
                   kpis=kpis.model_dump(mode="json") | {"solver_status": "REPAIR", "gap": parent.summary.kpis.get("gap")},
                   lower_bound=parent.lower_bound, timings={}),
        s.actor,
    ).plan
    plan = s.store.plans.transition(s.scope, plan.id, "audit", expected_version=plan.state_version, actor=s.actor).plan
    return s.store.plans.record_audits(
        s.scope, plan.id, plan.state_version, [AuditResult.model_validate(a.model_dump(mode="json")) for a in audits], s.actor,
    ).plan


def base_store(root: Path) -> Path:
    """The world's store, built once per process under `root`."""
    if "base" not in _built:
        folder = root / "world"
        folder.mkdir(parents=True, exist_ok=True)
        _built["base"] = build_store(folder / "world.duckdb")
    return _built["base"]


def copy_store(base: Path, dest: Path) -> Path:
    """A private copy with its key and heads file (the base is checkpointed: no WAL to carry along)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal", ".key", ".heads"):
        if Path(f"{dest}{suffix}").exists():
            os.unlink(f"{dest}{suffix}")
    shutil.copyfile(base, dest)
    for suffix in (".key", ".heads"):
        if Path(f"{base}{suffix}").exists():
            shutil.copyfile(f"{base}{suffix}", f"{dest}{suffix}")
    return dest


def cli(db: Path, *args: str, login: str = "dana", timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`solvereign --db DB --now NOW ARGS…` in a separate OS process, acting as `login`."""
    env = os.environ | {"NO_COLOR": "1", "SOLVEREIGN_DRILL": "1"}
    env.pop("SOLVEREIGN_NOW", None)
    return subprocess.run(
        as_login_command(login, "--db", str(db), "--now", NOW, *args),  # acts as `login` (tests/os_identity.py)
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )
