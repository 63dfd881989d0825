"""Solver benchmark (opt-in, not collected by pytest): `python benchmarks/bench_solver.py [--quick] [--json]`.

Parts, each week in a fresh child process (so peak RSS is per week):
1. sweep: generated weeks of every shape customers send (uniform, varied 2–8 h,
   split, night and their mixes; 300–2,500 tours; 4–7 days), seeds given;
   drivers against the lower bound (bar: = bound on ≥ 14, never > 1.02×),
   audit violations (bar: 0);
2. real weeks from ../shared/data when present (bars: Wien 142 / 0 PT, KW51 225 / 105 PT);
3. bars on the varied weeks: first legal plan (1,385: ≤ 2 s), time to the bound
   (1,385: ≤ 30 s; 2,500: ≤ 60 s), `time_limit=5` on 2,500 (returns ≤ 6 s, legal),
   cancel latency and the largest heartbeat gap (≤ 1 s), peak RSS (2,500: ≤ 400 MB);
4. named drivers: 150 named (availability, skills, 10 % part-time) on a 1,000-tour
   week, and a short roster of 60: audits 7/7 with the drivers, stand-ins reported.
The baseline of the same run is the constructive first plan alone: its drivers and
part-timers against the full solve's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import threading
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared" / "data"
REAL = {"wien": ("wien_week_1385.csv", date(2026, 1, 5), (142, 0)), "kw51": ("kw51_week_1272.csv", date(2025, 12, 15), (225, 105))}
# (label, tours, seed, shape keywords)
SWEEP = (
    ("uniform", 300, 1, {}),
    ("uniform", 1385, 2, {}),
    ("uniform", 2500, 3, {}),
    ("varied", 300, 4, {"varied": True}),
    ("varied", 1385, 5, {"varied": True}),
    ("varied", 2500, 6, {"varied": True}),
    ("split", 600, 7, {"split_share": 0.08}),
    ("night", 600, 8, {"night_share": 0.08}),
    ("varied+split+night", 1000, 9, {"varied": True, "split_share": 0.05, "night_share": 0.05}),
    ("varied 4 days", 800, 10, {"varied": True, "days": 4}),
    ("varied 5 days", 800, 11, {"varied": True, "days": 5}),
    ("varied 7 days", 1000, 12, {"varied": True, "days": 7}),
    ("split+night 7 days", 1385, 13, {"split_share": 0.05, "night_share": 0.05, "days": 7}),
    ("varied+split", 2000, 14, {"varied": True, "split_share": 0.06}),
    ("varied+night 5 days", 1500, 15, {"varied": True, "night_share": 0.06, "days": 5}),
    ("split 4 days", 600, 16, {"split_share": 0.1, "days": 4}),
)


def _forecast(kind: str, arg: object):
    from engine.ingest import ingest
    from fixtures.generator import WeekShape, generate_contract, generate_week

    if kind == "real":
        file, anchor, _ = REAL[str(arg)]
        path = SHARED / file
        if not path.is_file():
            return None
        return ingest(path.read_bytes(), tenant="demo", site="wien", anchor=anchor).forecast
    if kind == "named":
        tours, drivers = arg  # type: ignore[misc]
        text = generate_contract(tours, seed=21, shape=WeekShape(varied=True, skill_share=0.1), drivers=drivers)
        return ingest(text.encode(), tenant="demo", site="wien", anchor=None).forecast
    _, tours, seed, shape = arg  # type: ignore[misc]
    text = generate_week(tours, seed=seed, shape=WeekShape(**shape))
    return ingest(text.encode(), tenant="demo", site="wien", anchor=date(2026, 1, 5)).forecast


def _bound_at(result) -> float | None:
    """Seconds from the start until the best plan reached the final bound (from the stage reports)."""
    elapsed = 0.0
    for st in result.stages:
        elapsed += st.seconds
        if st.drivers is not None and st.drivers <= result.lower_bound.value:
            return round(elapsed, 2)
    return None


def _one(kind: str, arg: object, time_limit: float, cancel_after: float | None, queue: mp.Queue) -> None:
    from engine.audits import run_audits
    from engine.rules import RuleConfig
    from engine.solver import solve
    from engine.solver.blocks import enumerate_blocks
    from engine.solver.construct import construct

    forecast = _forecast(kind, arg)
    if forecast is None:
        queue.put({"skipped": True})
        return
    cfg = RuleConfig()
    t0 = time.monotonic()
    base = construct(enumerate_blocks(forecast.instances, cfg), cfg, lambda: False)
    base_s = time.monotonic() - t0
    base_pt = sum(1 for w in base if sum(b.work for b in w) < cfg.fte_threshold_minutes)
    beats: list[float] = []
    cancel = threading.Event()
    if cancel_after is not None:
        threading.Timer(cancel_after, cancel.set).start()
    started = time.monotonic()
    result = solve(forecast, time_limit=time_limit, progress=lambda hb: beats.append(time.monotonic()), cancel=cancel)
    wall = time.monotonic() - started
    gaps = [b - a for a, b in zip([started, *beats], beats, strict=False)]
    with_drivers = run_audits(forecast.instances, result.assignments, cfg, forecast.drivers)
    named = {d.external_id: d for d in forecast.drivers}
    by_id = {i.id: i for i in forecast.instances}
    breaches = sum(
        1 for iid, d in result.assignments.items()
        if d in named and (by_id[iid].day in named[d].unavailable_days or by_id[iid].skill not in named[d].skills)
    )
    k = result.kpis
    queue.put({
        "tours": len(forecast.instances), "drivers": k.drivers, "pt": k.pt_drivers, "bound": result.lower_bound.value,
        "lp": result.lower_bound.lp, "path_cover": result.lower_bound.path_cover, "pt_lb": result.pt_lower_bound,
        "max_h": k.max_hours, "violations": sum(a.violations for a in with_drivers), "audits": f"{sum(a.status == 'PASS' for a in with_drivers)}/7",
        "status": result.status, "first_s": result.timings.first_plan_s, "bound_at_s": _bound_at(result), "wall_s": round(wall, 2),
        "cancel_latency_s": round(wall - cancel_after, 2) if cancel_after is not None else None, "max_beat_gap_s": round(max(gaps), 2) if gaps else None,
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "wall_limited": result.wall_limited,
        "base_drivers": len(base), "base_pt": base_pt, "base_s": round(base_s, 2), "standins": len(result.standins),
        "named_used": len(set(result.assignments.values()) & set(named)), "r10_breaches": breaches, "hash": result.output_hash[7:19],
    })


def run_week(kind: str, arg: object, time_limit: float = 60.0, cancel_after: float | None = None) -> dict:
    queue: mp.Queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_one, args=(kind, arg, time_limit, cancel_after, queue))
    proc.start()
    row = queue.get()
    proc.join()
    return row


HEAD = f"{'week':<26}{'tours':>6}{'drv':>5}{'bound':>6}{'ratio':>7}{'PT':>5}{'PT≥':>5}{'viol':>5}{'first s':>8}{'bound@s':>8}{'total s':>8}{'RSS':>6}  baseline"


def _line(label: str, r: dict) -> str:
    ratio = r["drivers"] / r["bound"] if r["bound"] else 1.0
    base = f"{r['base_drivers']} drv / {r['base_pt']} PT"
    bound_at = f"{r['bound_at_s']:.2f}" if r["bound_at_s"] is not None else "-"
    return (f"{label:<26}{r['tours']:>6}{r['drivers']:>5}{r['bound']:>6}{ratio:>7.3f}{r['pt']:>5}{r['pt_lb']:>5}{r['violations']:>5}"
            f"{r['first_s']:>8.2f}{bound_at:>8}{r['wall_s']:>8.2f}{r['rss_mb']:>6}  {base} ({r['status']})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the sweep's first six weeks only, no extra bars")
    parser.add_argument("--json", action="store_true", help="one JSON object per measurement")
    parser.add_argument("--parts", default="1234", help="which parts to run, e.g. 34 (default all)")
    args = parser.parse_args()
    out = (lambda label, r: print(json.dumps({"week": label} | r))) if args.json else (lambda label, r: print(_line(label, r), flush=True))
    if "1" in args.parts:
        _sweep(args, out)
    if args.quick:
        return 0
    if "2" in args.parts:
        _real(args, out)
    if "3" in args.parts:
        _bars(args, out)
    if "4" in args.parts:
        _named(args, out)
    return 0


def _sweep(args: argparse.Namespace, out) -> None:  # noqa: ANN001 - the printer
    if not args.json:
        print("1. sweep (time limit 60 s, seed 94; shape seeds in the first column)")
        print(HEAD)
    at_bound = over = violations = 0
    for week in SWEEP[:6] if args.quick else SWEEP:
        r = run_week("sweep", week)
        label = f"{week[0]} s{week[2]}"
        out(label, r)
        at_bound += r["drivers"] == r["bound"]
        over += r["drivers"] > 1.02 * r["bound"]
        violations += r["violations"]
    n = 6 if args.quick else len(SWEEP)
    if not args.json:
        print(f"   at the bound on {at_bound}/{n} (bar ≥ {n - 1}), above 1.02× on {over} (bar 0), violations {violations} (bar 0)")


def _real(args: argparse.Namespace, out) -> None:  # noqa: ANN001 - the printer
    if not args.json:
        print("\n2. real weeks")
    for name, (_, _, (want_d, want_pt)) in REAL.items():
        r = run_week("real", name)
        if r.get("skipped"):
            print(f"{name}: skipped, {SHARED} not present")
            continue
        out(name, r)
        if not args.json:
            print(f"   bar {want_d} / {want_pt} PT: {'met' if (r['drivers'], r['pt']) == (want_d, want_pt) else 'MISSED'}")


def _bars(args: argparse.Namespace, out) -> None:  # noqa: ANN001 - the printer
    if not args.json:
        print("\n3. bars on varied weeks")
    big = ("varied", 2500, 6, {"varied": True})
    mid = ("varied", 1385, 5, {"varied": True})
    r = run_week("sweep", mid)
    out("varied 1,385", r)
    r = run_week("sweep", big, time_limit=5)
    out("varied 2,500, limit 5 s", r)
    if not args.json:
        print(f"   returned after {r['wall_s']:.2f} s (bar ≤ 6 s), legal: {r['violations'] == 0}, wall cap recorded: {r['wall_limited']}")
    for after in (1.0, 3.0, 10.0):
        r = run_week("sweep", big, cancel_after=after)
        out(f"varied 2,500, cancel {after:g} s", r)
        if not args.json:
            print(f"   cancel latency {r['cancel_latency_s']:.2f} s (bar ≤ 1 s), largest heartbeat gap {r['max_beat_gap_s']:.2f} s (bar ≤ 1 s), legal: {r['violations'] == 0}")


def _named(args: argparse.Namespace, out) -> None:  # noqa: ANN001 - the printer
    if not args.json:
        print("\n4. named drivers (1,000 varied tours, 10 % needing a skill)")
    for drivers in (150, 60):
        r = run_week("named", (1000, drivers))
        out(f"{drivers} named drivers", r)
        if not args.json:
            print(f"   named used {r['named_used']}, stand-ins {r['standins']}, R10 breaches {r['r10_breaches']}, audits with drivers {r['audits']}")


if __name__ == "__main__":
    sys.exit(main())
