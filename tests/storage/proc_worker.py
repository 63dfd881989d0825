"""Worker processes for test_processes.py (run with `python proc_worker.py MODE ...`; not a test module).

stress: mixed reads and state changes against a shared store; prints one JSON summary.
reader: read-only store doing reads only; prints one JSON summary.
crash-plan / crash-state: store plans / walk plans through the lifecycle forever, logging
"begin …" and "ack …" lines to a file, until the parent kills the process with SIGKILL.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from helpers import ALICE, SYSTEM, make_instances, make_result  # noqa: E402

from storage import IllegalTransition, NewPlan, Scope, StaleVersion, State, Store  # noqa: E402

SCOPE = Scope.of("acme", "wien")


def stress(path: str, name: str, ops: int, hot_plan: int, forecast_id: int, seed: int) -> None:
    rng = random.Random(seed)
    store = Store(path)
    instances = store.forecasts.content(SCOPE, forecast_id).canonical().instances
    out: dict = {"name": name, "approves": 0, "stale": 0, "reads": 0, "refused_locks": 0, "plans": {}, "errors": [], "ops": 0}
    actor = ALICE.model_copy(update={"name": name})
    started = time.monotonic()
    for _ in range(ops):
        op = rng.choices(["approve", "save", "publish", "lock", "read"], weights=[35, 12, 10, 8, 35])[0]
        mine = out["plans"]
        try:
            if op == "approve":
                hot = store.plans.get(SCOPE, hot_plan)
                try:
                    store.plans.transition(SCOPE, hot_plan, "approve", expected_version=hot.state_version, actor=actor,
                                           reason="approval under load")
                    out["approves"] += 1
                except StaleVersion:
                    out["stale"] += 1
            elif op == "save":
                res = store.plans.save(SCOPE, NewPlan(forecast_id=forecast_id), make_result(instances, tag=name), actor)
                mine[str(res.plan.id)] = res.plan.state
            elif op in ("publish", "lock"):
                want = State.AUDITED.value if op == "publish" else State.PUBLISHED.value
                ids = [int(k) for k, v in mine.items() if v == want]
                if ids:
                    pid = rng.choice(ids)
                    plan = store.plans.get(SCOPE, pid)
                    try:
                        res = store.plans.transition(SCOPE, pid, op, expected_version=plan.state_version, actor=actor,
                                                     reason=f"{op} under load")
                        mine[str(pid)] = res.plan.state
                    except IllegalTransition:
                        out["refused_locks"] += 1  # a newer version of the week is published/locked already
                    except StaleVersion:  # the other writer's newer version superseded it meanwhile
                        out["stale"] += 1
                        mine[str(pid)] = store.plans.get(SCOPE, pid).state
            else:
                store.plans.list_runs(SCOPE, limit=50)
                store.plans.detail(SCOPE, hot_plan)
                store.approvals.for_plan(SCOPE, hot_plan)
                if rng.random() < 0.1:
                    assert store.approvals.verify(SCOPE).ok
                out["reads"] += 1
        except Exception as exc:  # anything unexpected is a test failure, reported by the parent
            out["errors"].append(f"{op}: {type(exc).__name__}: {exc}")
        out["ops"] += 1
    out["seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(out), flush=True)


def reader(path: str, ops: int, hot_plan: int) -> None:
    store = Store(path, read_only=True)
    out: dict = {"reads": 0, "errors": [], "versions": []}
    for _ in range(ops):
        try:
            out["versions"].append(store.plans.get(SCOPE, hot_plan).state_version)
            store.plans.list_runs(SCOPE, limit=20)
            out["reads"] += 1
        except Exception as exc:
            out["errors"].append(f"{type(exc).__name__}: {exc}")
    print(json.dumps(out), flush=True)


def crash(path: str, mode: str, log_path: str, forecast_id: int) -> None:
    store = Store(path)
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives until SIGKILL
    big = make_instances(1385, prefix="B")
    small = store.forecasts.content(SCOPE, forecast_id).canonical().instances
    print("ready", flush=True)
    while True:
        if mode == "crash-plan":
            log.write("begin save\n")
            res = store.plans.save(SCOPE, NewPlan(forecast_id=forecast_id), make_result(big, drivers=140), SYSTEM)
            log.write(f"ack {res.plan.id} {res.plan.state}\n")
            continue
        plan = store.plans.create(SCOPE, NewPlan(forecast_id=forecast_id), SYSTEM)
        log.write(f"ack {plan.id} {plan.state}\n")
        for step in ("solve", "result", "audit", "audits", "approve", "publish", "lock"):
            log.write(f"begin {plan.id} {step}\n")
            v = plan.state_version
            if step == "result":
                plan = store.plans.record_result(SCOPE, plan.id, v, make_result(small, audits=False), SYSTEM).plan
            elif step == "audits":
                plan = store.plans.record_audits(SCOPE, plan.id, v, make_result(small).audits or [], SYSTEM).plan
            else:
                plan = store.plans.transition(SCOPE, plan.id, step, expected_version=v, actor=ALICE, reason=f"{step} drill").plan
            log.write(f"ack {plan.id} {plan.state}\n")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "stress":
        stress(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    elif mode == "reader":
        reader(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        crash(sys.argv[2], mode, sys.argv[3], int(sys.argv[4]))
    os._exit(0)
