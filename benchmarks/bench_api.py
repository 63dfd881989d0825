"""API load benchmark (opt-in, loopback only): `python benchmarks/bench_api.py [--seconds 30] [--clients 20] [--json]`.

A fresh store in a temporary directory with two generated weeks, one solved; `solvereign serve` as a
child process on a free loopback port; then `--clients` threads read runs, one run's page and its
driver schedules for `--seconds` while one solve of the other week runs on the server. Reports
p50/p99 latency and errors (bars: 0 errors, p99 ≤ 250 ms). The store and the server go at the end.
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
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
            job = httpx.post(f"{url}/api/v1/forecasts/{to_solve}/solve", headers={"X-API-Key": key},
                             json={"time_limit": args.seconds}, timeout=10).json()
            latencies, errors = read_load(url, key, run_id, args.seconds, args.clients)
            solve_state = httpx.get(f"{url}/api/v1/solves/{job['id']}", headers={"X-API-Key": key}, timeout=10).json()["state"]
        finally:
            server.terminate()
            server.wait(60)
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    result = {
        "clients": args.clients, "seconds": args.seconds, "requests": len(latencies), "errors": len(errors),
        "rps": round(len(latencies) / args.seconds, 1), "p50_ms": round(q[49], 1), "p99_ms": round(q[98], 1),
        "solve_during_load": solve_state, "bar_p99_ms": P99_BAR_MS,
        "pass": not errors and q[98] <= P99_BAR_MS, "first_errors": errors[:5],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['requests']} reads by {args.clients} clients in {args.seconds:.0f} s ({result['rps']} req/s) "
              f"while one solve ran ({solve_state} at the end): p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
              f"{result['errors']} errors; bar p99 ≤ {P99_BAR_MS:.0f} ms, 0 errors: {'PASS' if result['pass'] else 'FAIL'}")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
