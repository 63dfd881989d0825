"""Benchmark: validate a 1,385-tour forecast (target ≤ 0.3 s after start-up).

Run: python benchmarks/bench_validate.py
Prints the median over repeats, and a ratio against a baseline measured in the
same run: just decoding the bytes and splitting them into cells (the floor any
parser pays).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.ingest import ingest  # noqa: E402
from fixtures.generator import generate_week  # noqa: E402

TARGET_S = 0.3
REPEATS = 15


def _median(fn) -> float:
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    inputs = {"generated 1,385 (export)": generate_week(1385).encode()}
    real = REPO.parent / "shared" / "data"
    for name in ("wien_week_1385.csv", "wien_week_1385_wide.csv"):
        if (real / name).is_file():
            inputs[f"real {name}"] = (real / name).read_bytes()
    print(f"{'input':<36} {'instances':>9} {'validate s':>11} {'baseline s':>11} {'ratio':>7}  target")
    for label, data in inputs.items():
        result = ingest(data, tenant="demo", site="wien", anchor="2026-01-05")
        took = _median(lambda d=data: ingest(d, tenant="demo", site="wien", anchor="2026-01-05"))
        base = _median(lambda d=data: [ln.split(";") for ln in d.decode("utf-8-sig").splitlines()])
        ok = "OK" if took <= TARGET_S else "MISSED"
        print(
            f"{label:<36} {result.report.summary.instances:>9} {took:>11.4f} {base:>11.5f} {took / base:>7.0f}x"
            f"  ≤{TARGET_S}s {ok}"
        )


if __name__ == "__main__":
    main()
