"""`solvereign solve FILE`: solve a forecast file directly, without any store.

(`solve --forecast ID` solves a stored forecast as a run instead: app/commands/solve_store.py.)
For what-if runs and benchmarks. Prints KPIs, the lower bound and gap, the audit
summary and the timing (progress goes to stderr). Exit codes: 0 all audits
pass, 1 no legal plan exists, 2 the input fails the import contract.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.common import add_forecast_options, add_json, print_json, read_forecast
from app.commands.solve_store import run_store_solve
from app.commands.solver_output import bound_parts, heartbeat_printer, render_stages
from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.i18n import _, day

if TYPE_CHECKING:
    from engine.solver import SolveResult

DEFAULT_TENANT = "demo"
DEFAULT_SITE = "wien"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("solve", help=_("solve a stored forecast as a run (--forecast ID), or a forecast file (no store)"))
    p.add_argument("file", metavar="FILE", nargs="?", help=_("a forecast file to solve without any store"))
    p.add_argument("--forecast", type=int, metavar="ID", help=_("a stored forecast: creates a run and walks its states"))
    p.add_argument("--baseline", type=int, metavar="RUN", help=_("with --forecast: keep RUN's drivers where possible (a completed or corrected forecast)"))
    add_forecast_options(p)
    p.add_argument("--seed", type=int, default=94, help=_("solver seed (default 94)"))
    p.add_argument("--time-limit", type=float, default=60.0, metavar="S", help=_("time budget in seconds (default 60)"))
    p.add_argument("--out", metavar="PLAN.json", help=_("write the plan file here"))
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.time_limit <= 0:
        raise UserError(_("--time-limit must be positive"), EXIT_FAILED)
    if (args.file is None) == (args.forecast is None):
        raise UserError(_("give either FILE (no store) or --forecast ID (a stored forecast)"), EXIT_FAILED)
    if args.forecast is not None:
        return run_store_solve(args)
    if args.baseline is not None:
        raise UserError(_("--baseline needs --forecast ID"), EXIT_FAILED)
    args.tenant = args.tenant or DEFAULT_TENANT
    args.site = args.site or DEFAULT_SITE
    _data, ingested = read_forecast(args.file, args)
    forecast = ingested.forecast
    if forecast is None:
        raise UserError(_("{file}: import contract {value}").format(file=args.file, value=ingested.report.one_line()), EXIT_BLOCKED)
    if ingested.report.status == "WARN":
        print(_("warning: {value}").format(value=ingested.report.one_line()), file=sys.stderr)
    from engine.plan import plan_from_result, write_plan
    from engine.rules import RuleConfig
    from engine.solver import solve  # OR-Tools loads only when something is solved

    config = RuleConfig()

    result = solve(forecast, seed=args.seed, time_limit=args.time_limit, config=config, progress=heartbeat_printer(bool(args.json)))
    plan = plan_from_result(forecast, result, config)
    if args.out:
        try:
            write_plan(plan, Path(args.out))
        except OSError as exc:
            raise UserError(_("cannot write {out}: {value}").format(out=args.out, value=exc.strerror or exc), EXIT_FAILED) from None
    if args.json:
        doc = plan.model_dump(mode="json")
        doc.pop("instances")
        doc.pop("assignments")
        doc["drivers"] = result.kpis.drivers
        print_json(doc)
    else:
        print(render_result(result, args.file, args.out))
    if result.status == "INFEASIBLE":
        return EXIT_FAILED
    return 0 if result.audits_passed == len(result.audits) else EXIT_FAILED


def render_result(result: SolveResult, name: str, out: str | None) -> str:
    """The solve summary for people."""
    k, lb = result.kpis, result.lower_bound
    mix = ", ".join(f"{key} {n}" for key, n in k.block_mix.items())
    peaks = ", ".join(f"day {d}: {n}" for d, n in k.peak_concurrency.items())
    lines = [
        f"{name}: {result.status}",
        f"  drivers      {k.drivers}  (FTE {k.fte_drivers}, PT {k.pt_drivers})",
        f"  lower bound  {lb.value}  ({bound_parts(lb.model_dump())})  gap {result.gap:.1%}"
        + (f", part-timers ≥ {result.pt_lower_bound}" if result.pt_lower_bound else ""),
        f"  hours        total {k.total_hours:g} h, avg {k.avg_hours:g} h, min {k.min_hours:g} h, max {k.max_hours:g} h",
        f"  blocks       {mix}",
        f"  peak         {peaks}",
        "",
        "  " + _("KPI          value     target            status"),
    ]
    for c in k.checks:
        lines.append(f"  {c.name:<12} {c.display:<9} {_(c.target):<17} {c.symbol} {c.status}")
    lines.append("")
    lines.append("  " + _("audits {passed}/{total}").format(passed=result.audits_passed, total=len(result.audits)) + ": "
                 + ", ".join(f"{a.name} {a.status}" for a in result.audits))
    for a in result.audits:
        for row in a.rows[:3]:
            lines.append(f"    {a.name}: {row.driver or '-'} " + _("day {day}").format(day=row.day or "-")
                         + f" {','.join(row.instances)}: {row.message}")
    for item in result.infeasible[:10]:
        lines.append("  " + _("no legal plan: {id} breaks {rule}: {why}").format(id=item.instance_id, rule=item.rule, why=item.message))
    if len(result.infeasible) > 10:
        lines.append("  " + _("… and {n} more instances no driver can legally work").format(n=len(result.infeasible) - 10))
    lines.append("")
    t = result.timings
    for si in result.standins[:10]:
        lines.append("  " + _("open week {driver}: days {days}, {hours} h (no named driver can take it)").format(
            driver=si.driver_id, days=", ".join(day(d) for d in si.days), hours=f"{si.hours:g}"))

    if len(result.standins) > 10:
        lines.append("  " + _("… and {n} more open weeks").format(n=len(result.standins) - 10))
    lines.append("")
    lines.extend(render_stages([st.model_dump() for st in result.stages]))
    lines.append("  " + _("first plan {first:.2f} s, total {total:.2f} s").format(first=t.first_plan_s, total=t.total_s)
                 + (" " + _("(wall-clock cap hit: the last whole stage counts)") if result.wall_limited else ""))
    lines.append(f"  input_hash  {result.input_hash}")
    lines.append(f"  output_hash {result.output_hash}")
    if out:
        lines.append("  " + _("plan written to {path}").format(path=out))

    return "\n".join(lines)


