"""Review and decide from the command line: list-runs, show-run, publish, reject, lock, log."""

from __future__ import annotations

import argparse
import functools
from datetime import date

from app import tables
from app.reports import fmt_when
from app.tables import Column, print_table
from app.commands.common import add_json, add_reason, print_json, session_from_args
from app.remote.select import remote_from_args
from app.commands.solver_output import bound_parts, render_stages
from app.errors import EXIT_FAILED, UserError
from app.ops import runs as ops
from engine.clock import FIRST_YEAR, LAST_YEAR, in_range
from engine.models import DAY_CODES, fmt_hhmm
from app.ops.text import printable
from storage.models import ApprovalRecord, RunSummary

STATES = ("QUEUED", "SOLVING", "SOLVED", "AUDITING", "AUDITED", "PUBLISHED", "LOCKED", "SUPERSEDED", "FAILED", "REJECTED")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list-runs", help="runs in your scope, newest first")
    p.add_argument("--site")
    p.add_argument("--week", help="week anchor YYYY-MM-DD")
    p.add_argument("--state", choices=STATES)
    p.add_argument("--limit", type=int, default=50)
    add_json(p)
    p.set_defaults(func=run_list)

    p = sub.add_parser("show-run", help="KPIs, audits, bound and gap, state, approvals, next steps")
    p.add_argument("run_id", type=int, metavar="ID")
    p.add_argument("--drivers", action="store_true", help="every driver's week")
    p.add_argument("--audits", action="store_true", help="offending rows of every audit")
    add_json(p)
    p.set_defaults(func=run_show)

    for name, helptext in (
        ("publish", "approve an AUDITED plan (AUDITED → PUBLISHED)"),
        ("reject", "reject an AUDITED or PUBLISHED plan"),
        ("lock", "lock a PUBLISHED plan before its week starts (PUBLISHED → LOCKED)"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("run_id", type=int, metavar="ID")
        add_reason(p)
        add_json(p)
        p.set_defaults(func=run_action, action=name)

    p = sub.add_parser("runs", help="repair runs: fail a run stuck in SOLVING (its solver was killed)")
    rs = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    f = rs.add_parser("fail", help="mark a QUEUED/SOLVING/SOLVED/AUDITING run FAILED (refused while its solver is alive)")
    f.add_argument("run_id", type=int, metavar="ID")
    add_reason(f)
    add_json(f)
    f.set_defaults(func=run_fail)

    p = sub.add_parser("log", help="approval records (of one run, or all) and --verify of the hash chain")
    p.add_argument("run_id", type=int, nargs="?", metavar="ID")
    p.add_argument("--verify", action="store_true", help="check the hash chain (exit 1 when broken)")
    add_json(p)
    p.set_defaults(func=run_log)


def _week(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        week = date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--week {text[:40]!r} is not a date YYYY-MM-DD", EXIT_FAILED) from None
    if not in_range(week):
        raise UserError(f"--week {text!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}", EXIT_FAILED)
    return week


LIST_COLUMNS = ("id", "week", "site", "state", "in force", "v", "tours", "drivers", "PT", "coverage", "audits", "gap",
                "by", "created")


def print_runs(runs: list[RunSummary]) -> None:
    """The runs as `list-runs` and `status` print them: the cockpit's cells (app/tables.py)."""
    print_table([tables.RUN_COLUMNS[c] for c in LIST_COLUMNS], (cells for _, cells in tables.run_rows(runs, LIST_COLUMNS, fmt_when)))


def run_list(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    rows = (remote.list_runs if remote else functools.partial(ops.list_runs, session_from_args(args)))(
        site=args.site, week=_week(args.week), states=[args.state] if args.state else None, limit=args.limit)
    if args.json:
        print_json({"runs": rows})
        return 0
    print_runs(rows)
    if not rows:
        print("(no runs)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Exit 1 when the stored plan disagrees with its approval chain (or with a fresh audit of its rows)."""
    remote = remote_from_args(args)
    view = remote.show_run(args.run_id) if remote else ops.show_run(session_from_args(args), args.run_id)
    if args.json:
        d = view.detail
        print_json({
            "integrity": {"ok": view.integrity is None, "problem": view.integrity},
            "run": d.summary, "forecast": d.forecast, "kpis": view.kpis, "lower_bound": view.lower_bound, "gap": view.gap,
            "solver": d.timings,
            "audits": d.audits, "approvals": d.approvals, "has_warnings": view.has_warnings,
            "awaiting_second_approver": view.awaiting_second_approver, "actions": view.actions,
            "next_steps": view.next_steps, "uncovered": view.uncovered, "evidence": view.evidence,
            "drivers": [w.model_dump() | {"hours": w.hours, "contract": w.contract} for w in view.weeks] if args.drivers else None,
        })
        return 0 if view.integrity is None else 1
    print("\n".join(render_run(view, drivers=args.drivers, audits=args.audits)))
    return 0 if view.integrity is None else 1


def render_run(view: ops.RunView, *, drivers: bool, audits: bool) -> list[str]:
    r = view.run
    out = [f"run {r.id} · {r.site} · week of {r.week_anchor} · version {r.version} · {r.state}"
           + (" · WAITING FOR SECOND APPROVER" if view.awaiting_second_approver else "")]
    out.append(f"forecast {r.forecast_id} ({r.forecast_status}) · {view.tour_count} instances · seed {r.seed} · output {r.output_hash or '-'}")
    if view.integrity:
        out.append(f"INTEGRITY BROKEN: {printable(view.integrity)}; its KPIs and audits below are not proven")
    if r.error_text:
        out.append(f"error: {printable(r.error_text)}")
    if view.uncovered:
        out.append(f"uncovered: {len(view.uncovered)} of {view.tour_count} instances (no driver can legally work them)")
        out.extend(f"  {u.instance_id} {DAY_CODES[u.day - 1]} {fmt_hhmm(u.start)}–{fmt_hhmm(u.end)}  {u.rule}: {printable(u.why)}"
                   for u in view.uncovered)
    if view.kpis:
        k = view.kpis
        out.append("")
        out.append("KPIs")
        for c in k.checks:
            word = "OK   " if c.status == "OK" else "ALERT"
            out.append(f"  {c.symbol} {word} {c.name:<11} {c.display:>9}   target {c.target}, alert {c.alert}")
        out.append(f"  hours avg {k.avg_hours:g} · min {k.min_hours:g} · max {k.max_hours:g} · total {k.total_hours:g}")
        out.append("  blocks " + " · ".join(f"{n} {kind}" for kind, n in k.block_mix.items()))
        out.append("  peak concurrency " + " · ".join(f"{DAY_CODES[int(d) - 1]} {n}" for d, n in k.peak_concurrency.items()))
    if view.lower_bound:
        b = view.lower_bound
        gap = f"{100 * view.gap:.1f} %" if view.gap is not None else "-"
        out.append(f"  lower bound {b.value} drivers ({bound_parts(b.model_dump())}) · gap {gap}")
    timings = view.detail.timings
    if timings.get("stages"):
        out.append("")
        out.extend(line[2:] for line in render_stages(timings["stages"]))
        if timings.get("wall_limited"):
            out.append("  the wall-clock cap fired: the plan is the last whole stage's")
    for si in timings.get("standins", []):
        out.append(f"  open week {si['driver_id']}: {', '.join(DAY_CODES[d - 1] for d in si['days'])}, {si['hours']:g} h — no named driver can take it")
    out.append("")
    passed = sum(a.status == "PASS" for a in view.detail.audits)
    proof = " (not verified: see INTEGRITY above)" if view.integrity else (
        " (re-audited from the stored rows)" if r.state in ops.REAUDITED else "")
    out.append(f"audits {passed}/{len(view.detail.audits)}{proof}")
    for a in view.detail.audits:
        out.append(f"  {'✓ PASS' if a.status == 'PASS' else '✗ FAIL'} {a.name:<13} {a.violations} violation(s)")
        if audits or a.status == "FAIL":
            for row in a.rows[:20]:
                out.append(f"      {row.get('driver')} {row.get('day')}: {row.get('message')}")
    out.append("")
    out.append("approvals")
    for rec in view.detail.approvals:
        if rec.action in ("approve", "publish", "lock", "reject", "supersede", "override"):
            out.append(f"  {fmt_when(rec.at)}  {rec.action:<9} {printable(rec.actor)} ({rec.role}): {rec.from_state} → {rec.to_state}"
                       f"  “{printable(rec.reason)}”{clock_note(rec)}")
    for pack in view.evidence:
        out.append(f"  evidence pack {printable(pack.path)} {pack.sha256}")
    out.append("")
    out.append("actions")
    for name, st in view.actions.items():
        out.append(f"  {name:<8} {'possible' if st.possible else 'blocked: ' + printable(st.why_not)}  ({st.transition})"
                   + "".join(f"; {printable(effect)}" for effect in st.effects))
    if view.next_steps:
        out.append("next: " + " | ".join(view.next_steps))
    if drivers:
        out.append("")
        days = sorted({i.day for i in view.detail.instances})
        columns, rows = tables.week_table(view.weeks, days, full=True)  # the cockpit's drivers matrix, written out
        out.extend(tables.table_lines(columns, (cells for _, cells in rows)))
    return out


def run_action(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    if remote:
        outcome = remote.decide(args.action, args.run_id, args.reason)
    else:
        s = session_from_args(args)
        outcome = {"publish": ops.publish, "reject": ops.reject, "lock": ops.lock}[args.action](s, args.run_id, args.reason)
    if args.json:
        print_json(outcome)
    else:
        print(outcome.message)
    return outcome.exit_code


def run_fail(args: argparse.Namespace) -> int:
    outcome = ops.fail_run(session_from_args(args), args.run_id, args.reason)
    if args.json:
        print_json(outcome)
    else:
        print(outcome.message)
    return outcome.exit_code


def clock_note(rec: ApprovalRecord) -> str:
    """Records written under a clock override say so, with the real time beside the overridden one."""
    if not rec.clock_override:
        return ""
    return f"  [clock override: real time {fmt_when(rec.real_at)}]"


def run_log(args: argparse.Namespace) -> int:
    s = session_from_args(args)
    if args.verify:
        report = ops.verify_log(s)
        if args.json:
            print_json({"ok": report.ok, "sites": report.sites})
            return 0 if report.ok else 1
        for site in report.sites:
            if not site.ok and site.first_broken is not None:
                print(f"site {site.site}: BROKEN at record {site.first_broken.seq}: {site.first_broken.problem}")
                continue
            print(f"site {site.site}: {site.records} record(s), keyed hash chain verifies"
                  + (f", head {site.head}" if site.head else "") + f"; {site.plans_checked} plan(s) checked against it")
            for problem in site.plan_problems:
                print(f"site {site.site}: plan {problem.plan_id} TAMPERED: {problem.problem}")
        return 0 if report.ok else 1
    records = ops.approvals(s, args.run_id)
    if args.json:
        print_json({"records": records})
        return 0
    columns = [Column("#", right=True), Column("when"), Column("plan", right=True), Column("action"), Column("change"),
               Column("by"), Column("reason", free=True), Column("conditions", free=True)]
    print_table(columns, (
        (f"#{rec.seq}", fmt_when(rec.at), str(rec.plan_id), rec.action, f"{rec.from_state or '-'} → {rec.to_state}",
         f"{printable(rec.actor)} ({rec.role})", f"“{printable(rec.reason)}”" if rec.reason else "",
         (f"[{','.join(rec.conditions_met)}]" if rec.conditions_met else "") + clock_note(rec))
        for rec in records))
    return 0
