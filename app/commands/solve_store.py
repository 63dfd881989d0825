"""`solve --forecast ID`: solve a stored forecast as a run, printing each state and the progress."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.i18n import _
from app.commands.common import print_json, session_from_args
from app.commands.solver_output import heartbeat_printer
from app.remote.select import remote_from_args

if TYPE_CHECKING:
    from app.remote.client import RemoteOps


def run_store_solve(args: argparse.Namespace) -> int:
    """Exit 0 when the run ends AUDITED with all audits passing, 1 otherwise (FAILED or audits failing)."""
    from app.ops.solving import identical_runs, solve_forecast

    quiet = bool(args.json)

    def on_state(state: str) -> None:
        if not quiet:
            print(_("  state {state}").format(state=state), file=sys.stderr)

    kw = dict(seed=args.seed, time_limit=args.time_limit, progress=heartbeat_printer(quiet), on_state=on_state)
    remote = remote_from_args(args)
    if args.baseline is not None:
        return _baseline_solve(args, remote)
    if remote is not None:
        run, twins = remote.solve(args.forecast, **kw)  # type: ignore[arg-type]
        solver_status = run.kpis.get("solver_status")
    else:
        s = session_from_args(args)
        run, result = solve_forecast(s, args.forecast, **kw)  # type: ignore[arg-type]
        twins, solver_status = identical_runs(s, run), result.status if result else None
    ok = run.state == "AUDITED" and run.audits_passed == run.audits_total
    if args.json:
        print_json({
            "run_id": run.id, "state": run.state, "kpis": run.kpis, "error": run.error_text,
            "audits": {"passed": run.audits_passed, "total": run.audits_total},
            "output_hash": run.output_hash,
            "solver_status": solver_status, "identical_to": twins,
        })
    else:
        k = run.kpis
        if run.state == "FAILED":
            print(_("run {id} FAILED: {error_text}").format(id=run.id, error_text=run.error_text))
        else:
            print(_("run {id} {state}: {value} drivers ({value2} PT), audits {audits_passed}/{audits_total}, gap {value3:.1f} % [{value4}]").format(id=run.id, state=run.state, value=k.get('drivers'), value2=k.get('pt_drivers'), audits_passed=run.audits_passed, audits_total=run.audits_total, value3=100 * k.get('gap', 0), value4=k.get('solver_status')))
            if twins:
                print(_("identical to run {items} (same output_hash: the same plan)").format(items=', '.join(map(str, twins))))
            print(_("next: solvereign show-run {id}").format(id=run.id))
    return 0 if ok else 1


def _baseline_solve(args: argparse.Namespace, remote: RemoteOps | None) -> int:
    """`solve --forecast NEW --baseline RUN`: the newer forecast against RUN's drivers (minimum churn, frozen kept)."""
    from app.ops.baseline import baseline_summary

    done = (remote.baseline_solve(args.forecast, args.baseline, time_limit=args.time_limit) if remote
            else baseline_summary(session_from_args(args), args.forecast, args.baseline, time_limit=args.time_limit))
    run = done.run
    if args.json:
        print_json({
            "run_id": run.id, "state": run.state, "kpis": run.kpis, "baseline": args.baseline, "churn": done.churn,
            "changes": done.changes, "new_standins": done.new_standins,
            "audits": {"passed": run.audits_passed, "total": run.audits_total}, "output_hash": run.output_hash,
        })
    else:
        print(_("run {id} {state} (against plan {baseline}): {value} drivers, churn {value2:.1f} %, {n_changes} change(s), audits {audits_passed}/{audits_total}").format(id=run.id, state=run.state, baseline=args.baseline, value=run.kpis.get('drivers'), value2=100 * done.churn, n_changes=done.changes, audits_passed=run.audits_passed, audits_total=run.audits_total))
        print(_("next: solvereign diff {baseline} {id}").format(baseline=args.baseline, id=run.id))
    return 0 if run.audits_passed == run.audits_total else 1
