"""API load benchmark (opt-in, loopback only): `python benchmarks/bench_api.py [--seconds 30] [--clients 20] [--json]`.

A fresh store in a temporary directory with two generated weeks, one solved; `solvereign serve` as a
child process on a free loopback port; then `--clients` threads read runs, one run's page and its
driver schedules for `--seconds` while one solve of the other week runs on the server. Reports
p50/p99 latency and errors (bars: 0 errors, p99 ≤ 250 ms). The same reads without a solve run first
for `--baseline-seconds` on the same server, and the report gives the ratio against them and the load
average around each phase: the host is shared, so a figure means something only beside its baseline.
The store and the server go at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.cli import main as cli_main  # noqa: E402
from app.settings import os_login  # noqa: E402
from fixtures.generator import generate_week  # noqa: E402

P99_BAR_MS = 250.0


def cli(db: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli_main(["--db", str(db), *args])
    if code != 0:
        raise SystemExit(f"solvereign {' '.join(args)} failed ({code}): {err.getvalue()}")
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(root: Path, tours: int) -> tuple[Path, int, int, str]:
    db = root / "bench.duckdb"
    cli(db, "init", "--tenant", "acme", "--site", "wien")
    ids = []
    for k, anchor in enumerate(("2030-01-07", "2030-01-14")):
        path = root / f"week{k}.csv"
        path.write_text(generate_week(tours, seed=11 + k), encoding="utf-8")
        ids.append(int(json.loads(cli(db, "import", str(path), "--anchor", anchor, "--json"))["forecast_id"]))
    run_id = int(json.loads(cli(db, "solve", "--forecast", str(ids[0]), "--time-limit", "10", "--json"))["run_id"])
    key = cli(db, "users", "key", os_login()).strip()
    return db, run_id, ids[1], key


def read_load(url: str, key: str, run_id: int, seconds: float, clients: int) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    paths = ("/api/v1/plans?limit=50", f"/api/v1/plans/{run_id}", f"/api/v1/plans/{run_id}/schedules")
    stop_at = time.monotonic() + seconds

    def reader(n: int) -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=10) as c:
            i = n
            while time.monotonic() < stop_at:
                path = paths[i % len(paths)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = c.get(path)
                    ok, what = r.status_code == 200, f"{path}: HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, what = False, f"{path}: {type(exc).__name__}"
                dt = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(dt)
                    if not ok:
                        errors.append(what)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def quantiles(latencies: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    return round(q[49], 1), round(q[98], 1)


def phase(url: str, key: str, run_id: int, seconds: float, clients: int) -> dict[str, object]:
    load_before = os.getloadavg()[0]
    latencies, errors = read_load(url, key, run_id, seconds, clients)
    p50, p99 = quantiles(latencies)
    return {"requests": len(latencies), "errors": len(errors), "rps": round(len(latencies) / seconds, 1),
            "p50_ms": p50, "p99_ms": p99, "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
            "first_errors": errors[:5]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--baseline-seconds", type=float, default=10.0, help="the same reads without a solve, first")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--tours", type=int, default=1385, help="tours of each generated week")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        db, run_id, to_solve, key = prepare(Path(tmp), args.tours)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "--db", str(db), "serve", "--port", str(port), "--jobs-every", "0"],
                                  cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("server did not start")
                time.sleep(0.2)
            baseline = phase(url, key, run_id, args.baseline_seconds, args.clients)
            job = httpx.post(f"{url}/api/v1/forecasts/{to_solve}/solve", headers={"X-API-Key": key},
                             json={"time_limit": args.seconds}, timeout=10).json()
            loaded = phase(url, key, run_id, args.seconds, args.clients)
            solve_state = httpx.get(f"{url}/api/v1/solves/{job['id']}", headers={"X-API-Key": key}, timeout=10).json()["state"]
        finally:
            server.terminate()
            server.wait(60)
    p99, base = float(loaded["p99_ms"]), float(baseline["p99_ms"])  # type: ignore[arg-type]
    result = {
        "clients": args.clients, "seconds": args.seconds, "cores": os.cpu_count(), **loaded,
        "solve_during_load": solve_state, "baseline": baseline, "p99_vs_baseline": round(p99 / base, 2) if base else None,
        "bar_p99_ms": P99_BAR_MS, "pass": not loaded["errors"] and p99 <= P99_BAR_MS,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"baseline, no solve: {baseline['requests']} reads by {args.clients} clients in {args.baseline_seconds:.0f} s: "
              f"p50 {baseline['p50_ms']} ms, p99 {base} ms, {baseline['errors']} errors "
              f"(load {baseline['load_before']} → {baseline['load_after']} on {os.cpu_count()} cores)")
        print(f"{loaded['requests']} reads by {args.clients} clients in {args.seconds:.0f} s ({loaded['rps']} req/s) "
              f"while one solve ran ({solve_state} at the end): p50 {loaded['p50_ms']} ms, p99 {p99} ms "
              f"({result['p99_vs_baseline']}× baseline), {loaded['errors']} errors "
              f"(load {loaded['load_before']} → {loaded['load_after']}); bar p99 ≤ {P99_BAR_MS:.0f} ms, 0 errors: "
              f"{'PASS' if result['pass'] else 'FAIL'}")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
