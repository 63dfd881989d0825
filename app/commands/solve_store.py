"""`solve --forecast ID`: solve a stored forecast as a run, printing each state and the progress."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import print_json, session_from_args
from app.commands.solver_output import heartbeat_printer
from app.ops.session import Session


def run_store_solve(args: argparse.Namespace) -> int:
    """Exit 0 when the run ends AUDITED with all audits passing, 1 otherwise (FAILED or audits failing)."""
    from app.ops.solving import identical_runs, solve_forecast

    s = session_from_args(args)
    quiet = bool(args.json)

    def on_state(state: str) -> None:
        if not quiet:
            print(f"  state {state}", file=sys.stderr)

    if args.baseline is not None:
        return _baseline_solve(args, s)
    run, result = solve_forecast(
        s, args.forecast, seed=args.seed, time_limit=args.time_limit, progress=heartbeat_printer(quiet), on_state=on_state
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


def _baseline_solve(args: argparse.Namespace, s: Session) -> int:
    """`solve --forecast NEW --baseline RUN`: the newer forecast against RUN's drivers (minimum churn, frozen kept)."""
    from app.ops.baseline import solve_with_baseline

    run, result = solve_with_baseline(s, args.forecast, args.baseline, time_limit=args.time_limit)
    if args.json:
        print_json({
            "run_id": run.id, "state": run.state, "kpis": run.kpis, "baseline": args.baseline, "churn": result.churn,
            "changes": len(result.changes), "new_standins": result.new_standins,
            "audits": {"passed": run.audits_passed, "total": run.audits_total}, "output_hash": run.output_hash,
        })
    else:
        print(f"run {run.id} {run.state} (against plan {args.baseline}): {run.kpis.get('drivers')} drivers, churn "
              f"{100 * result.churn:.1f} %, {len(result.changes)} change(s), audits {run.audits_passed}/{run.audits_total}")
        print(f"next: solvereign diff {args.baseline} {run.id}")
    return 0 if run.audits_passed == run.audits_total else 1
