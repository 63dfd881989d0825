"""Solver benchmark (opt-in, not collected by pytest): `python benchmarks/bench_solver.py [--time-limit S]`.

Solves the two real weeks (when ../shared/data is present) and generated weeks
of 200/600/1,385/2,500 tours. Each week runs in a fresh child process so peak
RSS is per week. Per week it prints drivers, PT, bound, gap, max hours,
violations, time to first plan, total time and peak RSS, plus the baseline of
the same run: the constructive first plan alone (drivers, PT) against the full
solve.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.ingest import ingest  # noqa: E402
from engine.rules import RuleConfig  # noqa: E402
from engine.solver import solve  # noqa: E402
from engine.solver.blocks import enumerate_blocks  # noqa: E402
from engine.solver.construct import construct  # noqa: E402
from fixtures.generator import generate_week  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
REAL = (("wien_week_1385", "wien_week_1385.csv", date(2026, 1, 5)), ("kw51_week_1272", "kw51_week_1272.csv", date(2025, 12, 15)))
GENERATED = (200, 600, 1385, 2500)


def _week_bytes(name: str) -> tuple[bytes, date] | None:
    for label, file, anchor in REAL:
        if label == name:
            path = SHARED / file
            return (path.read_bytes(), anchor) if path.is_file() else None
    return generate_week(int(name.split("_")[1]), seed=7).encode(), date(2026, 1, 5)


def _one(name: str, time_limit: float, queue: mp.Queue) -> None:
    loaded = _week_bytes(name)
    if loaded is None:
        queue.put({"name": name, "skipped": True})
        return
    data, anchor = loaded
    forecast = ingest(data, tenant="demo", site="wien", anchor=anchor).forecast
    assert forecast is not None
    cfg = RuleConfig()
    t0 = time.monotonic()
    base = construct(enumerate_blocks(forecast.instances, cfg), cfg, 94)
    base_s = time.monotonic() - t0
    base_pt = sum(1 for w in base if sum(b.work for b in w) < cfg.fte_threshold_minutes)
    result = solve(forecast, time_limit=time_limit)
    k = result.kpis
    queue.put(
        {
            "name": name,
            "tours": len(forecast.instances),
            "drivers": k.drivers,
            "pt": k.pt_drivers,
            "bound": result.lower_bound.value,
            "gap": result.gap,
            "max_h": k.max_hours,
            "violations": sum(a.violations for a in result.audits),
            "audits": f"{result.audits_passed}/{len(result.audits)}",
            "status": result.status,
            "first_s": result.timings.first_plan_s,
            "total_s": result.timings.total_s,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "base_drivers": len(base),
            "base_pt": base_pt,
            "base_s": base_s,
            "hash": result.output_hash[7:19],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--json", action="store_true", help="one JSON object per week")
    args = parser.parse_args()
    names = [label for label, _, _ in REAL] + [f"generated_{n}" for n in GENERATED]
    ctx = mp.get_context("spawn")
    head = (
        f"{'week':<16}{'tours':>6}{'drivers':>8}{'PT':>5}{'bound':>6}{'gap':>7}{'max h':>7}{'viol':>5}"
        f"{'audits':>7}{'first s':>8}{'total s':>8}{'RSS MB':>8}  {'status':<10}{'baseline (construct only)':<28}hash"
    )
    if not args.json:
        print(f"time limit {args.time_limit:g} s per week, seed 94")
        print(head)
    for name in names:
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=_one, args=(name, args.time_limit, queue))
        proc.start()
        row = queue.get()
        proc.join()
        if args.json:
            print(json.dumps(row))
            continue
        if row.get("skipped"):
            print(f"{name:<16} skipped: {SHARED} not present")
            continue
        base = f"{row['base_drivers']} drv / {row['base_pt']} PT in {row['base_s']:.2f}s"
        ratio = f" (PT x{row['base_pt'] / row['pt']:.2f})" if row["pt"] else ""
        print(
            f"{name:<16}{row['tours']:>6}{row['drivers']:>8}{row['pt']:>5}{row['bound']:>6}{row['gap']:>7.1%}{row['max_h']:>7g}"
            f"{row['violations']:>5}{row['audits']:>7}{row['first_s']:>8.2f}{row['total_s']:>8.2f}{row['rss_mb']:>8.0f}  "
            f"{row['status']:<10}{base + ratio:<28}{row['hash']}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
