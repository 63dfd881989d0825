"""Both backends side by side (a script, not a test): python benchmarks/bench_backends.py [--repeat N]

The same three store operations as bench_store.py — store a 1,385-instance plan, load a run's detail,
list 500 runs — on a fresh DuckDB file and on a fresh PostgreSQL database of a throwaway local cluster
(tests/pg_cluster.py: initdb + pg_ctl in a temp dir, fsync off as in the tests), in one run. Each
figure is the median of --repeat runs including every step a store call takes (attach/detach for
DuckDB; pool checkout, role and scope settings, row-level security and triggers for PostgreSQL).
The bar: PostgreSQL within 3× DuckDB on each single operation.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import psycopg  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_store import ACTOR, N_INSTANCES, N_RUNS, SCOPE, instances, median_ms, result  # noqa: E402
from engine.models import CanonicalForecast  # noqa: E402
from storage import NewForecast, NewPlan, Store  # noqa: E402

sys.path.append(str(ROOT / "tests"))
from pg_cluster import Cluster, find_bindir  # noqa: E402

BAR = 3.0
_CLONE = ("INSERT INTO plans SELECT nextval('plan_ids'), tenant_code, site_code, week_anchor, forecast_id, "
          "version + r + 100, parent_plan_id, kind, seed, solver_config_hash, state, state_version, output_hash, "
          "instance_count, assigned_count, driver_count, audits_passed, audits_total, kpis, lower_bound, timings, "
          "error_text, created_by, created_at, updated_at, locked_at, lease_pid, lease_host, lease_heartbeat "
          "FROM plans, {series} WHERE id = {plan_id}")


def measure(location: str | Path, clone: Callable[[int, int], None], repeat: int) -> dict[str, float]:
    store = Store(location, clock=lambda: datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    items = instances(N_INSTANCES)
    fc = CanonicalForecast(tenant_code="bench", site_code="wien", week_anchor_date=date(2026, 3, 2), instances=items)
    forecast_id = store.forecasts.add(
        SCOPE, NewForecast(forecast=fc, source_format="export_csv", raw_bytes=b"x" * 20_000, status="PASS"), ACTOR
    ).forecast.id
    tags = iter(range(1, 10_000))
    out = {"store": median_ms(lambda: store.plans.save(SCOPE, NewPlan(forecast_id=forecast_id), result(items, next(tags)), ACTOR),
                              repeat)}
    plan_id = store.plans.list_runs(SCOPE, limit=1)[0].id
    assert len(store.plans.detail(SCOPE, plan_id).instances) == N_INSTANCES
    out["detail"] = median_ms(lambda: store.plans.detail(SCOPE, plan_id), repeat)
    clone(N_RUNS - len(store.plans.list_runs(SCOPE, limit=N_RUNS)), plan_id)
    assert len(store.plans.list_runs(SCOPE, limit=N_RUNS)) == N_RUNS
    out["list"] = median_ms(lambda: store.plans.list_runs(SCOPE, limit=N_RUNS), repeat)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        print("no PostgreSQL server binaries (initdb, pg_ctl): nothing to compare")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SOLVEREIGN_TRUST_DIR"] = tmp
        path = Path(tmp) / "bench.duckdb"

        def duck_clone(n: int, plan_id: int) -> None:
            with duckdb.connect(str(path)) as conn:
                conn.execute(_CLONE.format(series="range(?) t(r)", plan_id=plan_id), [n])

        duck = measure(path, duck_clone, args.repeat)
        cluster = Cluster(bindir)
        try:
            url = cluster.fresh_database("bench")

            def pg_clone(n: int, plan_id: int) -> None:
                with psycopg.connect(url) as conn:
                    conn.execute(_CLONE.format(series="generate_series(0, %s - 1) r", plan_id=plan_id), [n])

            pg = measure(url, pg_clone, args.repeat)
        finally:
            from storage.pg import close_pools

            close_pools()
            cluster.stop()
    print(f"backends side by side — median of {args.repeat} runs each; load {os.getloadavg()[0]:.2f}")
    print(f"  {'operation':<36} {'duckdb':>9} {'postgresql':>11} {'ratio':>7}   bar ≤ {BAR:.0f}×")
    ok = True
    for key, label in (("store", f"store a {N_INSTANCES:,}-instance plan"), ("detail", "load a run's detail"),
                       ("list", f"list {N_RUNS} runs")):
        ratio = pg[key] / duck[key]
        ok &= ratio <= BAR
        print(f"  {label:<36} {duck[key]:7.1f} ms {pg[key]:8.1f} ms {ratio:6.2f}×   {'OK' if ratio <= BAR else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
