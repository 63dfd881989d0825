"""Review and decide from the command line: list-runs, show-run, publish, reject, lock, log."""

from __future__ import annotations

import argparse
import functools
from datetime import date

from app import tables
from app.reports import clock_override, fmt_when, outbox_line
from app.tables import Column, print_table
from app.commands.common import add_json, add_reason, print_json, session_from_args
from app.remote.select import remote_from_args
from app.commands.solver_output import bound_parts, render_stages
from app.errors import EXIT_FAILED, UserError
from app.ops import runs as ops
from engine.clock import FIRST_YEAR, LAST_YEAR, in_range
from engine.models import fmt_hhmm
from app.ops.text import printable
from storage.models import ApprovalRecord, RunSummary
from app.i18n import N_, _, day

STATES = ("QUEUED", "SOLVING", "SOLVED", "AUDITING", "AUDITED", "PUBLISHED", "LOCKED", "SUPERSEDED", "FAILED", "REJECTED")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list-runs", help=_("runs in your scope, newest first"))
    p.add_argument("--site")
    p.add_argument("--week", help=_("week anchor YYYY-MM-DD"))
    p.add_argument("--state", choices=STATES)
    p.add_argument("--limit", type=int, default=50)
    add_json(p)
    p.set_defaults(func=run_list)

    p = sub.add_parser("show-run", help=_("KPIs, audits, bound and gap, state, approvals, next steps"))
    p.add_argument("run_id", type=int, metavar="ID")
    p.add_argument("--drivers", action="store_true", help=_("every driver's week"))
    p.add_argument("--audits", action="store_true", help=_("offending rows of every audit"))
    add_json(p)
    p.set_defaults(func=run_show)

    for name, helptext in (
        ("publish", N_("approve an AUDITED plan (AUDITED → PUBLISHED)")),
        ("reject", N_("reject an AUDITED or PUBLISHED plan")),
        ("lock", N_("lock a PUBLISHED plan before its week starts (PUBLISHED → LOCKED)")),
    ):
        p = sub.add_parser(name, help=_(helptext))

        p.add_argument("run_id", type=int, metavar="ID")
        add_reason(p)
        add_json(p)
        p.set_defaults(func=run_action, action=name)

    p = sub.add_parser("runs", help=_("repair runs: fail a run stuck in SOLVING (its solver was killed)"))
    rs = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    f = rs.add_parser("fail", help=_("mark a QUEUED/SOLVING/SOLVED/AUDITING run FAILED (refused while its solver is alive)"))
    f.add_argument("run_id", type=int, metavar="ID")
    add_reason(f)
    add_json(f)
    f.set_defaults(func=run_fail)

    p = sub.add_parser("log", help=_("approval records (of one run, or all) and --verify of the hash chain"))
    p.add_argument("run_id", type=int, nargs="?", metavar="ID")
    p.add_argument("--verify", action="store_true", help=_("check the hash chain (exit 1 when broken)"))
    add_json(p)
    p.set_defaults(func=run_log)


def _week(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        week = date.fromisoformat(text)
    except ValueError:
        raise UserError(_("--week {text} is not a date YYYY-MM-DD").format(text=repr(text[:40])), EXIT_FAILED) from None
    if not in_range(week):
        raise UserError(_("--week {text} is outside the years {first}–{last}").format(text=repr(text), first=FIRST_YEAR, last=LAST_YEAR),
                        EXIT_FAILED)
    return week


LIST_COLUMNS = ("id", "week", "site", "state", "in force", "v", "tours", "drivers", "PT", "coverage", "audits", "gap",
                "by", "created")


def print_runs(runs: list[RunSummary]) -> None:
    """The runs as `list-runs` and `status` print them: the cockpit's cells (app/tables.py)."""
    print_table([tables.RUN_COLUMNS[c] for c in LIST_COLUMNS], (cells for _key, cells in tables.run_rows(runs, LIST_COLUMNS, fmt_when)))


def run_list(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    rows = (remote.list_runs if remote else functools.partial(ops.list_runs, session_from_args(args)))(
        site=args.site, week=_week(args.week), states=[args.state] if args.state else None, limit=args.limit)
    if args.json:
        print_json({"runs": rows})
        return 0
    print_runs(rows)
    if not rows:
        print(_("(no runs)"))
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
            "outbox": view.outbox,
            "drivers": [w.model_dump() | {"hours": w.hours, "contract": w.contract} for w in view.weeks] if args.drivers else None,
        })
        return 0 if view.integrity is None else 1
    print("\n".join(render_run(view, drivers=args.drivers, audits=args.audits)))
    return 0 if view.integrity is None else 1


def render_run(view: ops.RunView, *, drivers: bool, audits: bool) -> list[str]:
    r = view.run
    out = [_("run {id} · {site} · week of {week} · version {version} · {state}").format(
        id=r.id, site=r.site, week=r.week_anchor, version=r.version, state=r.state)
           + (" · " + _("WAITING FOR SECOND APPROVER") if view.awaiting_second_approver else "")]
    out.append(_("forecast {forecast} ({status}) · {n} instances · seed {seed} · output {output}").format(
        forecast=r.forecast_id, status=r.forecast_status, n=view.tour_count, seed=r.seed, output=r.output_hash or "-"))
    if view.integrity:
        out.append(_("INTEGRITY BROKEN: {problem}; its KPIs and audits below are not proven").format(problem=printable(view.integrity)))
    if r.error_text:
        out.append(_("error: {message}").format(message=printable(r.error_text)))
    if view.uncovered:
        out.append(_("uncovered: {n} of {total} instances (no driver can legally work them)").format(
            n=len(view.uncovered), total=view.tour_count))
        out.extend(f"  {u.instance_id} {day(u.day)} {fmt_hhmm(u.start)}–{fmt_hhmm(u.end)}  {u.rule}: {printable(u.why)}"
                   for u in view.uncovered)
    if view.kpis:
        k = view.kpis
        out.append("")
        out.append(_("KPIs"))
        for c in k.checks:
            word = "OK   " if c.status == "OK" else "ALERT"
            out.append(f"  {c.symbol} {word} {c.name:<11} {c.display:>9}   "
                       + _("target {target}, alert {alert}").format(target=_(c.target), alert=c.alert))

        out.append("  " + _("hours avg {avg} · min {min} · max {max} · total {total}").format(
            avg=f"{k.avg_hours:g}", min=f"{k.min_hours:g}", max=f"{k.max_hours:g}", total=f"{k.total_hours:g}"))
        out.append("  " + _("blocks") + " " + " · ".join(f"{n} {kind}" for kind, n in k.block_mix.items()))
        out.append("  " + _("peak concurrency") + " " + " · ".join(f"{day(int(d))} {n}" for d, n in k.peak_concurrency.items()))
    if view.lower_bound:
        b = view.lower_bound
        gap = f"{100 * view.gap:.1f} %" if view.gap is not None else "-"
        out.append("  " + _("lower bound {value} drivers ({parts}) · gap {gap}").format(
            value=b.value, parts=bound_parts(b.model_dump()), gap=gap))
    timings = view.detail.timings
    if timings.get("stages"):
        out.append("")
        out.extend(line[2:] for line in render_stages(timings["stages"]))
        if timings.get("wall_limited"):
            out.append("  " + _("the wall-clock cap fired: the plan is the last whole stage's"))
    for si in timings.get("standins", []):
        out.append("  " + _("open week {driver}: {days}, {hours} h — no named driver can take it").format(
            driver=si["driver_id"], days=", ".join(day(d) for d in si["days"]), hours=f"{si['hours']:g}"))
    out.append("")
    passed = sum(a.status == "PASS" for a in view.detail.audits)
    proof = " " + _("(not verified: see INTEGRITY above)") if view.integrity else (
        " " + _("(re-audited from the stored rows)") if r.state in ops.REAUDITED else "")
    out.append(_("audits {passed}/{total}").format(passed=passed, total=len(view.detail.audits)) + proof)
    for a in view.detail.audits:
        out.append(f"  {'✓ PASS' if a.status == 'PASS' else '✗ FAIL'} {a.name:<13} " + _("{n} violation(s)").format(n=a.violations))
        if audits or a.status == "FAIL":
            for row in a.rows[:20]:
                out.append(f"      {row.get('driver')} {row.get('day')}: {row.get('message')}")
    out.append("")
    out.append(_("approvals"))
    for rec in view.detail.approvals:
        if rec.action in ("approve", "publish", "lock", "reject", "supersede", "override"):
            out.append(f"  {fmt_when(rec.at)}  {rec.action:<9} {printable(rec.actor)} ({rec.role}): {rec.from_state} → {rec.to_state}"
                       f"  “{printable(rec.reason)}”{clock_note(rec)}")
    for pack in view.evidence:
        out.append("  " + _("evidence pack {path} {sha256}").format(path=printable(pack.path), sha256=pack.sha256))
    if view.outbox or r.state == "LOCKED":
        out.append("  " + outbox_line(view.outbox))
    out.append("")
    out.append(_("actions"))
    for name, st in view.actions.items():
        verdict = _("possible") if st.possible else _("blocked: {why}").format(why=printable(st.why_not))
        out.append(f"  {_(name):<8} {verdict}  ({st.transition})" + "".join(f"; {printable(effect)}" for effect in st.effects))
    if view.next_steps:
        out.append(_("next: {step}").format(step=" | ".join(view.next_steps)))
    if drivers:
        out.append("")
        days = sorted({i.day for i in view.detail.instances})
        columns, rows = tables.week_table(view.weeks, days, full=True)  # the cockpit's drivers matrix, written out
        out.extend(tables.table_lines(columns, (cells for _key, cells in rows)))
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
    return "  " + clock_override(rec.real_at)


def run_log(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    s = None if remote else session_from_args(args)
    if args.verify:
        report = remote.verify_log() if remote else ops.verify_log(s)  # type: ignore[arg-type]
        if args.json:
            print_json({"ok": report.ok, "sites": report.sites})
            return 0 if report.ok else 1
        for site in report.sites:
            if not site.ok and site.first_broken is not None:
                print(_("site {site}: BROKEN at record {seq}: {problem}").format(
                    site=site.site, seq=site.first_broken.seq, problem=site.first_broken.problem))
                continue
            head = ", " + _("head {head}").format(head=site.head) if site.head else ""
            print(_("site {site}: {n} record(s), keyed hash chain verifies{head}; {plans} plan(s) checked against it").format(
                site=site.site, n=site.records, head=head, plans=site.plans_checked))
            for problem in site.plan_problems:
                print(_("site {site}: plan {plan} TAMPERED: {problem}").format(site=site.site, plan=problem.plan_id, problem=problem.problem))

        return 0 if report.ok else 1
    records = remote.approvals(args.run_id) if remote else ops.approvals(s, args.run_id)  # type: ignore[arg-type]
    if args.json:
        print_json({"records": records})
        return 0
    columns = [Column("#", right=True), Column(N_("when")), Column(N_("plan"), right=True), Column(N_("action")), Column(N_("change")),
               Column(N_("by")), Column(N_("reason"), free=True), Column(N_("conditions"), free=True)]
    print_table(columns, (
        (f"#{rec.seq}", fmt_when(rec.at), str(rec.plan_id), rec.action, f"{rec.from_state or '-'} → {rec.to_state}",
         f"{printable(rec.actor)} ({rec.role})", f"“{printable(rec.reason)}”" if rec.reason else "",
         (f"[{','.join(rec.conditions_met)}]" if rec.conditions_met else "") + clock_note(rec))
        for rec in records))
    return 0
