"""Worker processes for test_processes.py (run with `python proc_worker.py MODE ...`; not a test module).

stress: mixed reads and state changes against a shared store; prints one JSON summary.
reader: read-only store doing reads only; prints one JSON summary.
crash-plan / crash-state: store plans / walk plans through the lifecycle forever, logging
"begin …" and "ack …" lines to a file, until the parent kills the process with SIGKILL.
crash-at: the first save of a chain at each given site, on a fresh copy of a template store per
step N = 1, 2, …, in a forked child killed (SIGKILL) just before its Nth step on the key or heads file.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import signal
import sys
import time
import traceback
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


def crash_at(template: str, folder: str, saves: list[str]) -> None:
    """For step 1, 2, …: a fresh copy of `template` and a forked child that saves there and dies at that
    step (imports paid once; nothing attaches a store before the fork). Prints "N killed" per child killed,
    then "N done" for the first one that finished (or "N failed" with the child's status)."""
    for step in itertools.count(1):
        path = str(Path(folder) / f"step{step}.duckdb")
        shutil.copyfile(template, path)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _save_dying_at(path, step, saves)
        status = os.waitpid(pid, 0)[1]
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            print(f"{step} killed", flush=True)
            continue
        print(f"{step} {'done' if os.waitstatus_to_exitcode(status) == 0 else f'failed {status}'}", flush=True)
        return


def _save_dying_at(path: str, step: int, saves: list[str]) -> None:
    """The first save of a chain at each site (site=forecast_id), SIGKILLed just before the `step`th
    file-system step on the store's key or heads file or on a file descriptor. Audit hooks run before the
    step they announce, so the files are left exactly as a crash between two steps leaves them (os.write
    has no event; opening its file or fd has)."""
    store = Store(path)
    companions = (f"{store.path}.key", f"{store.path}.heads")
    seen = 0

    def hook(event: str, args: tuple) -> None:
        nonlocal seen
        if (event == "open" or event.startswith("os.")) and args:
            if isinstance(args[0], int) or str(args[0]).startswith(companions):
                seen += 1
                if seen == step:
                    os.kill(os.getpid(), signal.SIGKILL)

    small = make_instances(12)
    try:
        sys.addaudithook(hook)
        for site, fid in (s.split("=") for s in saves):
            store.plans.save(Scope.of("acme", site), NewPlan(forecast_id=int(fid)), make_result(small), SYSTEM)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "stress":
        stress(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    elif mode == "reader":
        reader(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "crash-at":
        crash_at(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        crash(sys.argv[2], mode, sys.argv[3], int(sys.argv[4]))
    os._exit(0)
