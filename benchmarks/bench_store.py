"""Store benchmark (a script, not a test): python benchmarks/bench_store.py [--repeat N]

Measures, on a fresh DuckDB file in a temporary directory:
  * storing a 1,385-instance plan (one `plans.save`: plan row, instances, assignments, 7 audits,
    5 approval records, one transaction)            target ≤ 0.5 s
  * loading one run's detail (`plans.detail`)       target ≤ 0.2 s
  * listing 500 runs (`plans.list_runs`)            target ≤ 0.1 s
Each figure is the median of --repeat runs and includes opening and closing the file, as every
store call does. The baseline, measured in the same run, is a bare `duckdb.connect` + one
SELECT + close on the same file, so the ratios say how much the store adds to DuckDB's own cost.
The plan is synthetic (engine Instance objects: 4.5 h tours over Mon–Sat), not a solver result.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from engine.models import CanonicalForecast, Instance  # noqa: E402
from storage import Actor, AuditResult, NewForecast, NewPlan, PlanResult, Scope, Store  # noqa: E402

N_INSTANCES = 1385
N_RUNS = 500
SCOPE = Scope.of("bench", "wien")
ACTOR = Actor(name="bench", role="dispatcher")
AUDITS = ("coverage", "overlap", "rest", "span_regular", "span_split", "fatigue", "weekly_max")


def instances(n: int) -> list[Instance]:
    out = []
    for k in range(n):
        day = k % 6 + 1
        start = (day - 1) * 1440 + 240 + (k // 6) % 90 * 10
        out.append(Instance(id=f"W-{k:05d}-1", external_id=f"W-{k:05d}", instance_no=1, day=day,
                            start=start, end=start + 270, segments=((start, start + 270),)))
    return out


def result(items: list[Instance], tag: int) -> PlanResult:
    return PlanResult(
        instances=items,
        assignments={i.id: f"D{k % 142:03d}" for k, i in enumerate(items)},
        output_hash=f"sha256:{tag:064x}",
        kpis={"coverage": 1.0, "drivers": 142, "fte_ratio": 1.0, "max_hours": 54.0},
        lower_bound={"drivers": 142, "hours_only": 116},
        timings={"solve_s": 41.2, "audit_s": 0.3},
        audits=[AuditResult(name=a, status="PASS", violations=0, rows=[]) for a in AUDITS],
    )


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        store = Store(path, clock=lambda: datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
        items = instances(N_INSTANCES)
        fc = CanonicalForecast(tenant_code="bench", site_code="wien", week_anchor_date=date(2026, 3, 2), instances=items)
        forecast_id = store.forecasts.add(
            SCOPE, NewForecast(forecast=fc, source_format="export_csv", raw_bytes=b"x" * 20_000, status="PASS"), ACTOR
        ).forecast.id

        tags = iter(range(1, 10_000))
        store_ms = median_ms(lambda: store.plans.save(SCOPE, NewPlan(forecast_id=forecast_id), result(items, next(tags)), ACTOR), args.repeat)
        plan_id = store.plans.list_runs(SCOPE, limit=1)[0].id
        detail = store.plans.detail(SCOPE, plan_id)
        assert len(detail.instances) == N_INSTANCES and len(detail.assignments) == N_INSTANCES
        detail_ms = median_ms(lambda: store.plans.detail(SCOPE, plan_id), args.repeat)

        # 500 runs for the list: clone plan rows in SQL (the list reads only plans + forecasts)
        have = len(store.plans.list_runs(SCOPE, limit=N_RUNS))
        with duckdb.connect(str(path)) as conn:
            conn.execute(
                "INSERT INTO plans SELECT nextval('plan_ids'), tenant_code, site_code, week_anchor, forecast_id, "
                "version + r.range + 100, parent_plan_id, kind, seed, solver_config_hash, state, state_version, output_hash, "
                "instance_count, assigned_count, driver_count, audits_passed, audits_total, kpis, lower_bound, timings, "
                "error_text, created_by, created_at, updated_at, locked_at, lease_pid, lease_host, lease_heartbeat "
                "FROM plans, range(?) r WHERE id = ?",
                [N_RUNS - have, plan_id],
            )
        runs = store.plans.list_runs(SCOPE, limit=N_RUNS)
        assert len(runs) == N_RUNS
        list_ms = median_ms(lambda: store.plans.list_runs(SCOPE, limit=N_RUNS), args.repeat)

        def bare() -> None:
            conn = duckdb.connect(str(path), read_only=True)
            conn.execute("SELECT count(*) FROM plans").fetchall()
            conn.close()

        base_ms = median_ms(bare, args.repeat)

    print(f"store benchmark — duckdb {duckdb.__version__}, median of {args.repeat} runs each, file on local disk")
    print(f"  baseline: bare duckdb connect + SELECT + close      {base_ms:8.1f} ms")
    ok = True
    for label, value, target in (
        (f"store a {N_INSTANCES:,}-instance plan", store_ms, 500.0),
        ("load a run's detail", detail_ms, 200.0),
        (f"list {N_RUNS} runs", list_ms, 100.0),
    ):
        verdict = "OK" if value <= target else "OVER"
        ok &= value <= target
        print(f"  {label:<40}  {value:8.1f} ms   target ≤ {target:5.0f} ms   {value / base_ms:5.2f}× baseline   {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
