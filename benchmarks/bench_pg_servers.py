"""Two servers on one PostgreSQL store under load (a script, not a test):
python benchmarks/bench_pg_servers.py [--seconds 30] [--clients 8]

A throwaway cluster (tests/pg_cluster.py), the demo week (`solvereign demo`), two `solvereign serve`
processes on free loopback ports, and N clients (half on each server) for S seconds: each loops over
listing runs, reading the plan, and every fourth turn minting an API key (a write through the
database's writer lock). Prints p50/p99 per kind, errors, and lost updates (keys answered 201 that
are not in the database). Bars: 0 errors, 0 lost updates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "tests"))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from app.settings import os_login  # noqa: E402
from pg_cluster import Cluster, find_bindir, free_port  # noqa: E402

SOLVEREIGN = str(Path(sys.executable).with_name("solvereign"))


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([SOLVEREIGN, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def serve(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([SOLVEREIGN, "serve", "--port", str(port), "--jobs-every", "0"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return url, proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start: {log.read_text()}")
        time.sleep(0.2)


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else (samples[0] if samples else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        print("no PostgreSQL server binaries (initdb, pg_ctl)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster(bindir)
        procs: list[subprocess.Popen[bytes]] = []
        try:
            url = cluster.empty_database("load")
            env = {**os.environ, "SOLVEREIGN_DB": url, "SOLVEREIGN_TRUST_DIR": tmp, "SOLVEREIGN_CONFIG": os.devnull}
            cli(env, "demo")
            login = os_login()  # demo made this account the tenant's platform_admin
            key = cli(env, "users", "key", login).strip()
            servers = []
            for n in range(2):
                base, proc = serve(env, Path(tmp) / f"server{n}.log")
                servers.append(base)
                procs.append(proc)
            latencies: dict[str, list[float]] = {"list": [], "plan": [], "write": []}
            errors: list[str] = []
            minted = [0]
            lock = threading.Lock()
            stop_at = time.monotonic() + args.seconds

            def client(n: int) -> None:
                with httpx.Client(base_url=servers[n % 2], headers={"X-API-Key": key}, timeout=30) as c:
                    turn = 0
                    while time.monotonic() < stop_at:
                        for kind, method, path in (("list", "GET", "/api/v1/plans?limit=50"), ("plan", "GET", "/api/v1/plans/1"),
                                                   *((("write", "POST", f"/api/v1/users/{login}/keys"),) if turn % 4 == 0 else ())):
                            t = time.perf_counter()
                            try:
                                r = c.request(method, path)
                                ok = r.status_code in (200, 201)
                            except httpx.HTTPError as exc:
                                ok, r = False, None
                                errors.append(f"{kind}: {exc}")
                            ms = (time.perf_counter() - t) * 1000
                            with lock:
                                latencies[kind].append(ms)
                                if ok and kind == "write":
                                    minted[0] += 1
                                elif not ok and r is not None:
                                    errors.append(f"{kind}: {r.status_code} {r.text[:80]}")
                        turn += 1

            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            with psycopg.connect(url) as conn:
                stored = conn.execute("SELECT count(*) FROM api_keys").fetchone()[0] - 1  # minus the key minted above
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(30)
            from storage.pg import close_pools

            close_pools()
            cluster.stop()
    everything = [ms for kind in latencies.values() for ms in kind]
    print(f"two servers on one PostgreSQL store — {args.clients} clients for {args.seconds:.0f} s; "
          f"load {os.getloadavg()[0]:.2f}")
    for kind, samples in latencies.items():
        print(f"  {kind:<6} {len(samples):6d} requests   p50 {percentile(samples, 50):7.1f} ms   p99 {percentile(samples, 99):7.1f} ms")
    print(f"  all    {len(everything):6d} requests   p50 {percentile(everything, 50):7.1f} ms   p99 {percentile(everything, 99):7.1f} ms")
    lost = minted[0] - stored
    print(f"  errors {len(errors)}   writes answered 201: {minted[0]}, in the database: {stored}, lost: {lost}")
    for e in errors[:5]:
        print(f"    {e}")
    return 0 if not errors and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
