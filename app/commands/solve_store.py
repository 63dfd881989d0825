"""`solve --forecast ID`: solve a stored forecast as a run, printing each state and the progress."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import print_json, session_from_args


def run_store_solve(args: argparse.Namespace) -> int:
    """Exit 0 when the run ends AUDITED with all audits passing, 1 otherwise (FAILED or audits failing)."""
    from app.ops.solving import identical_runs, solve_forecast

    s = session_from_args(args)
    quiet = bool(args.json)

    def on_state(state: str) -> None:
        if not quiet:
            print(f"  state {state}", file=sys.stderr)

    def progress(drivers: int, pt: int, bound: int, elapsed: float) -> None:
        if not quiet:
            print(f"  best {drivers} drivers, {pt} PT (bound {bound}) after {elapsed:.1f} s", file=sys.stderr)

    run, result = solve_forecast(
        s, args.forecast, seed=args.seed, time_limit=args.time_limit, progress=progress, on_state=on_state
    )
    ok = run.state == "AUDITED" and run.audits_passed == run.audits_total
    twins = identical_runs(s, run)
    if args.json:
        print_json({
            "run_id": run.id, "state": run.state, "kpis": run.kpis, "error": run.error_text,
            "audits": {"passed": run.audits_passed, "total": run.audits_total},
            "output_hash": run.output_hash,
            "solver_status": result.status if result else None, "identical_to": twins,
        })
    else:
        k = run.kpis
        if run.state == "FAILED":
            print(f"run {run.id} FAILED: {run.error_text}")
        else:
            print(f"run {run.id} {run.state}: {k.get('drivers')} drivers ({k.get('pt_drivers')} PT), "
                  f"audits {run.audits_passed}/{run.audits_total}, gap {100 * k.get('gap', 0):.1f} % "
                  f"[{k.get('solver_status')}]")
            if twins:
                print(f"identical to run {', '.join(map(str, twins))} (same output_hash: the same plan)")
            print(f"next: solvereign show-run {run.id}")
    return 0 if ok else 1
