"""`solvereign audit PLAN.json`: re-run the seven audits on any plan file.

A plan edited by hand or produced elsewhere is judged from its instances and
assignments only. Exit codes: 0 all audits pass, 1 otherwise (also for a file
that cannot be read, with a one-line reason).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.common import add_json, print_json
from app.errors import EXIT_FAILED, UserError
from app.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help=_("re-run the seven audits on a plan file"))
    p.add_argument("plan", metavar="PLAN.json")
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.audits import passed, run_audits
    from engine.hashing import output_hash
    from engine.plan import PlanFileError, read_plan

    try:
        plan = read_plan(Path(args.plan))
    except PlanFileError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    instances = plan.to_instances()
    pairs = plan.assignment_pairs()
    results = run_audits(instances, pairs, plan.rule_config)
    ok = passed(results) == len(results)
    recomputed = output_hash(dict(pairs), plan.rule_config.config_hash())
    matches = plan.output_hash is None or plan.output_hash == recomputed
    if args.json:
        print_json(
            {
                "plan": args.plan,
                "passed": passed(results),
                "total": len(results),
                "status": "PASS" if ok else "FAIL",
                "output_hash": recomputed,
                "output_hash_matches": matches,
                "audits": [r.model_dump(mode="json") for r in results],
            }
        )
    else:
        print(_("{plan}: audits {passed}/{n_results} {value}").format(plan=args.plan, passed=passed(results), n_results=len(results), value='PASS' if ok else 'FAIL'))
        for r in results:
            print(_("  {name:<13} {status:<4} {violations:>4} violation(s)").format(name=r.name, status=r.status, violations=r.violations))
            for row in r.rows[:10]:
                where = f"{row.driver or '-'} day {row.day or '-'}"
                print(f"      {where}: {','.join(row.instances)}: {row.message} [{row.rule}]")
            if r.violations > 10:
                print(_("      … {value} more").format(value=r.violations - 10))
        if not matches:
            print(_("  note: assignments differ from the recorded output_hash (now {recomputed})").format(recomputed=recomputed))
    return 0 if ok else EXIT_FAILED
