"""Incident drills (runbook §8, SPEC §7): H1 sick-call, H2 freeze-window, H3 partial-forecast, break-glass.

Each drill runs the real engine and the real use cases on a temporary copy of the store (the live
store is never changed; `--dry-run` is therefore always true), acting as drill users it registers on
the copy only. Every check states what was expected and what happened; the evidence JSON goes under
`artifacts/drills/<type>/` next to the store. Verdict: FAIL if a FAIL-level check fails, else WARN
if a WARN-level one does, else PASS (exit 0 / 1 / 2).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from app.i18n import N_, _
from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.ops.policy import REPAIRERS, refuse_unless, role_check
from app.ops.session import Session, is_overridden
from engine.clock import FixedClock, instant_of
from engine.freeze import DEFAULT_HORIZON_MIN, freezes_at
from engine.models import Instance
from storage.errors import StoreError
from storage.models import RunDetail, RunSummary, UserRecord
from storage.scope import Actor
from storage.store import Store

DrillName = Literal["sick-call", "freeze-window", "partial-forecast", "break-glass"]
DRILLS: tuple[str, ...] = get_args(DrillName)
DRILL_STATES = ("LOCKED", "PUBLISHED", "AUDITED")  # the plans a drill may start from, best first
STANDIN = "DRILL-STANDIN"
Severity = Literal["FAIL", "WARN"]


class DrillCheck(BaseModel):
    name: str
    expected: Any
    actual: Any
    ok: bool
    severity: Severity = "FAIL"


class DrillReport(BaseModel):
    drill: str
    verdict: str = "PASS"
    store: str
    plan_id: int
    site: str
    week: str
    ran_at: str
    ran_by: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    hashes: dict[str, Any] = Field(default_factory=dict)
    figures: dict[str, Any] = Field(default_factory=dict)
    checks: list[DrillCheck] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    evidence: str = ""

    def check(self, name: str, expected: Any, actual: Any, ok: bool, severity: Severity = "FAIL") -> None:
        self.checks.append(DrillCheck(name=name, expected=expected, actual=actual, ok=bool(ok), severity=severity))

    def judge(self) -> None:
        failed = {c.severity for c in self.checks if not c.ok}
        self.verdict = "FAIL" if "FAIL" in failed or not self.checks else ("WARN" if failed else "PASS")

    @property
    def exit_code(self) -> int:
        return {"PASS": 0, "WARN": 1}.get(self.verdict, 2)


class Drill:
    """A temporary copy of the store with drill users of every role the drills need."""

    def __init__(self, s: Session, root: Path, site: str) -> None:
        self._s, self._root, self._site, self._n = s, root, site, 0

    def copy(self, clock: FixedClock | None = None) -> Callable[[str], Session]:
        """A fresh copy; returns a function giving a session of a drill user with that role on it."""
        self._n += 1
        path = self._s.store.copy_to(self._root / f"copy{self._n}.duckdb")
        use = clock or self._s.clock
        store = Store(path, clock=use.now, clock_override=is_overridden(use))
        users: dict[str, UserRecord] = {}

        def as_role(role: str) -> Session:
            if role not in users:
                login = f"drill_{role}"
                users[role] = store.users.upsert(self._s.scope, login, name=f"Drill {role}", email=f"{login}@drill.invalid",
                                                 role=role, sites=[self._site], actor=Actor.system())  # type: ignore[arg-type]
            return Session(store=store, clock=use, login=users[role].login, user=users[role])

        return as_role


def pick_plan(s: Session, run_id: int | None) -> RunSummary:
    if run_id is not None:
        return s.store.plans.get(s.scope, run_id)
    runs = s.store.plans.list_runs(s.scope, states=list(DRILL_STATES), limit=500)
    if not runs:
        raise UserError(_("no AUDITED, PUBLISHED or LOCKED plan to drill on (solve one first, or give --run)"), EXIT_FAILED)
    return sorted(runs, key=lambda r: (DRILL_STATES.index(r.state), -r.id))[0]


def run_drill(
    s: Session, drill: str, *, run_id: int | None = None, absent: list[str] | None = None,
    horizon_min: int = DEFAULT_HORIZON_MIN, time_limit: float = 10.0,
) -> DrillReport:
    refuse_unless(role_check(s.role, REPAIRERS, N_("run drills")))
    if drill not in DRILLS:
        raise UserError(_("unknown drill {drill!r}; one of {items}").format(drill=drill, items=', '.join(DRILLS)), EXIT_FAILED)
    plan = pick_plan(s, run_id)
    report = DrillReport(drill=drill, store=s.store.path, plan_id=plan.id, site=plan.site, week=str(plan.week_anchor),
                         ran_at=s.clock.now().isoformat(), ran_by=s.display,
                         inputs={"run": plan.id, "state": plan.state, "horizon_min": horizon_min, "time_limit": time_limit},
                         hashes={"input_hash": plan.input_hash, "output_hash": plan.output_hash})
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="solvereign-drill-") as tmp:
        d = Drill(s, Path(tmp), plan.site)
        detail = s.store.plans.detail(s.scope, plan.id)
        steps: dict[str, Callable[[], None]] = {
            "sick-call": lambda: _sick_call(d, detail, report, absent, time_limit),
            "freeze-window": lambda: _freeze_window(d, detail, report, horizon_min, time_limit),
            "partial-forecast": lambda: _partial_forecast(d, detail, report, time_limit),
            "break-glass": lambda: _break_glass(d, detail, report, horizon_min),
        }
        _x, err = _attempt(steps[drill])
        if err:  # a step the drill could not even try is a FAIL of the drill, with the reason as evidence
            report.check("drill_completed", "every step ran", err.message, False)
    report.timings["total_s"] = round(time.perf_counter() - started, 3)
    report.judge()
    report.evidence = str(write_evidence(s, report))
    return report


def drills_dir(store_path: str) -> Path:
    return Path(store_path).parent / "artifacts" / "drills"


def write_evidence(s: Session, report: DrillReport) -> Path:
    folder = drills_dir(s.store.path) / report.drill
    folder.mkdir(parents=True, exist_ok=True)
    stamp = s.clock.now().strftime("%Y%m%dT%H%M%S")
    n = 0
    while (path := folder / f"{stamp}-plan{report.plan_id}{f'-{n}' if n else ''}.json").exists():
        n += 1
    report.evidence = str(path)
    path.write_text(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def past_drills(store_path: str, limit: int = 50) -> list[DrillReport]:
    """The evidence of earlier drills next to the store, newest first (unreadable files are skipped)."""
    found: list[DrillReport] = []
    for path in sorted(drills_dir(store_path).glob("*/*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]:
        try:
            found.append(DrillReport.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found


# --- the drills ------------------------------------------------------------------------


def busiest_drivers(detail: RunDetail, n: int = 3) -> list[str]:
    """The `n` drivers with the most work minutes (ties by id): the default absentees of H1."""
    minutes: dict[str, int] = {}
    by_id = {i.id: i for i in detail.instances}
    for iid, d in detail.assignments.items():
        minutes[d] = minutes.get(d, 0) + by_id[iid].work_minutes
    return [d for d, _x in sorted(minutes.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _attempt(fn: Callable[[], Any]) -> tuple[Any, UserError | StoreError | None]:
    """Run one step of a drill; a refusal (or a store that refuses, e.g. a tampered plan) is its outcome."""
    try:
        return fn(), None
    except (UserError, StoreError) as exc:
        return None, exc


def _sick_call(d: Drill, detail: RunDetail, report: DrillReport, absent: list[str] | None, time_limit: float) -> None:
    from app.ops.repair import apply_repair

    names = absent or busiest_drivers(detail)
    report.inputs["absent_drivers"] = names
    on_call = d.copy()("on_call")
    t0 = time.perf_counter()
    outcome, err = _attempt(lambda: apply_repair(on_call, detail.summary.id, names, reason="drill H1: sick call of " + ", ".join(names),
                                                 time_limit=time_limit))
    report.timings["repair_s"] = round(time.perf_counter() - t0, 3)
    report.check("repair_applied", "a new repair version", err.message if err else f"plan {outcome.run.id}", err is None)
    if err:
        return
    r, p = outcome.run, outcome.preview
    frozen = set(p.frozen)
    left = [iid for iid, drv in r_assignments(on_call, r.id).items() if drv in names and iid not in frozen and iid not in p.pinned]
    report.figures.update(churn=p.result.churn, changes=len(p.result.changes), new_standins=p.result.new_standins,
                          affected_drivers=len(p.result.affected_drivers), frozen=len(frozen), run=r.id)
    report.hashes["repair_output_hash"] = r.output_hash
    report.check("coverage", "100 %", f"{100 * r.assigned_count / max(r.instance_count, 1):.1f} %", r.assigned_count == r.instance_count)
    report.check("churn", "< 20 %", f"{100 * p.result.churn:.1f} %", p.result.churn < 0.20)
    report.check("audits", "7/7", f"{r.audits_passed}/{r.audits_total}", r.audits_total == 7 and r.audits_passed == 7)
    report.check("absent_freed", "no unfrozen instance left with an absent driver", f"{len(left)} left", not left)
    report.check("frozen_untouched", 0, len(p.result.held_moved), not p.result.held_moved)
    report.check("new_standins", f"≤ {len(names)} (no more than the absent drivers)", len(p.result.new_standins),
                 len(p.result.new_standins) <= len(names))


def r_assignments(s: Session, run_id: int) -> dict[str, str]:
    return s.store.plans.detail(s.scope, run_id).assignments


def _middle(detail: RunDetail) -> Instance:
    """The boundary instance of H2: the first of the median start time (earlier ones exist to be frozen)."""
    starts = sorted({i.start for i in detail.instances})
    pivot = starts[len(starts) // 2]
    return min((i for i in detail.instances if i.start == pivot), key=lambda i: i.id)


def _movable(s: Session, detail: RunDetail, candidates: list[Instance]) -> Instance | None:
    """The first candidate whose move to a fresh stand-in keeps every rule (so only the freeze can refuse it)."""
    from app.ops.edit import check_edit
    from app.ops.versions import load_base

    base = load_base(s, detail.summary.id, what="a drill")
    for inst in candidates:
        check, _x = check_edit(base, {inst.id: STANDIN})
        if not check.breaks:
            return inst
    return None


def _freeze_clock(detail: RunDetail, horizon_min: int) -> tuple[Instance, FixedClock]:
    pivot = _middle(detail)
    return pivot, FixedClock(freezes_at(detail.summary.week_anchor, pivot, horizon_min))


def _freeze_window(d: Drill, detail: RunDetail, report: DrillReport, horizon_min: int, time_limit: float) -> None:
    from app.ops.edit import edit
    from app.ops.repair import preview_repair

    pivot, clock = _freeze_clock(detail, horizon_min)
    dispatcher = d.copy(clock)("dispatcher")
    report.inputs.update(now=clock.now().isoformat(), boundary_instance=pivot.id)
    earlier = sorted((i for i in detail.instances if i.start < pivot.start), key=lambda i: (-i.start, i.id))
    later = sorted((i for i in detail.instances if i.start > pivot.start), key=lambda i: (i.start, i.id))
    cases = (("frozen_blocked", _movable(dispatcher, detail, earlier), "BLOCK"),
             ("unfrozen_allowed", _movable(dispatcher, detail, later), "ALLOW"),
             ("boundary_blocked", pivot, "BLOCK"))
    for name, inst, expected in cases:
        if inst is None:
            report.check(name, expected, "no instance to try", False)
            continue
        _x, err = _attempt(lambda inst=inst: edit(dispatcher, detail.summary.id, "move", instance=inst.id, to_driver=STANDIN,
                                                 reason="drill H2: freeze-window probe", preview=True))
        frozen_refusal = err is not None and err.exit_code == EXIT_BLOCKED and "frozen" in err.message
        actual = "BLOCK" if frozen_refusal else ("ALLOW" if err is None else f"refused otherwise: {err.message}")
        report.check(f"{name}:{inst.id}", expected, actual, actual == expected)
    sick = detail.assignments.get(earlier[0].id) if earlier else None
    if sick is None:
        report.check("repair_keeps_frozen", "a driver with frozen work", "none", False)
        return
    report.inputs["absent_driver"] = sick
    preview, err = _attempt(lambda: preview_repair(dispatcher, detail.summary.id, [sick], reason="drill H2: repair around frozen tours",
                                                   time_limit=time_limit))
    if err:
        report.check("repair_keeps_frozen", "a repair preview", err.message, False)
        return
    moved = [c.instance_id for c in preview.result.changes if c.instance_id in set(preview.frozen)]
    report.figures.update(frozen=len(preview.frozen), repair_changes=len(preview.result.changes), repair_verdict=preview.result.verdict)
    report.check("repair_keeps_frozen", "0 frozen instances moved", f"{len(moved)} moved", not moved)
    report.check("repair_verdict", "PASS", preview.result.verdict, preview.result.verdict == "PASS")


def _partial_forecast(d: Drill, detail: RunDetail, report: DrillReport, time_limit: float) -> None:
    days = sorted({i.day for i in detail.instances})
    partial_days = days[: max(1, len(days) // 2)]
    report.inputs["partial_days"] = partial_days
    clock = FixedClock(instant_of(detail.summary.week_anchor, -1440))  # the Sunday before the week: nothing frozen yet
    first = _partial_once(d, detail, clock, partial_days, time_limit, report)
    second = _partial_once(d, detail, clock, partial_days, time_limit, report) if first else None
    if first is None or second is None:
        return
    report.hashes.update(partial_output_hash=first["partial"], complete_output_hash=first["complete"],
                         rerun_partial_output_hash=second["partial"], rerun_complete_output_hash=second["complete"])
    report.figures.update(churn=first["churn"], new_instances=first["new"], mapped=first["mapped"])
    report.check("partial_hash_identical", first["partial"], second["partial"], first["partial"] == second["partial"])
    report.check("complete_hash_identical", first["complete"], second["complete"], first["complete"] == second["complete"])
    report.check("completion_churn", "< 20 %", f"{100 * first['churn']:.1f} %", first["churn"] < 0.20, "WARN")


def _partial_once(
    d: Drill, detail: RunDetail, clock: FixedClock, partial_days: list[int], time_limit: float, report: DrillReport
) -> dict[str, Any] | None:
    from app.ops.baseline import solve_with_baseline
    from app.ops.solving import solve_forecast
    from storage.models import NewForecast

    s = d.copy(clock)("dispatcher")
    content, err = _attempt(lambda: s.store.forecasts.content(s.scope, detail.summary.forecast_id))
    if err:
        report.check("forecast_content", "the week's forecast content", err.message, False)
        return None
    full = content.canonical()
    partial = full.model_copy(update={"instances": [i for i in full.instances if i.day in partial_days]})
    raw = partial.canonical_json().encode()
    added = s.store.forecasts.add(s.scope, NewForecast(forecast=partial, source_format="contract_json", raw_bytes=raw, status="PASS",
                                                       source_name="drill-partial.json"), s.actor)
    run, _x = solve_forecast(s, added.forecast.id, time_limit=time_limit)
    n = "" if "partial_solved" not in {c.name for c in report.checks} else "_rerun"
    ok = run.state == "AUDITED" and run.audits_passed == run.audits_total == 7
    report.check(f"partial_solved{n}", "AUDITED 7/7", f"{run.state} {run.audits_passed}/{run.audits_total}", ok)
    if not ok:
        return None
    complete, err = _attempt(lambda: solve_with_baseline(s, detail.summary.forecast_id, run.id, time_limit=time_limit))
    if err:
        report.check(f"completion_solved{n}", "AUDITED against the baseline", err.message, False)
        return None
    crun, result = complete
    report.check(f"completion_solved{n}", "AUDITED 7/7, 100 %", f"{crun.state} {crun.audits_passed}/{crun.audits_total}, "
                 f"{100 * crun.assigned_count / max(crun.instance_count, 1):.0f} %",
                 crun.audits_passed == crun.audits_total == 7 and crun.assigned_count == crun.instance_count)
    return {"partial": run.output_hash, "complete": crun.output_hash, "churn": result.churn,
            "mapped": len([i for i in full.instances if i.day in partial_days]), "new": crun.instance_count - added.forecast.instance_count}


def _break_glass(d: Drill, detail: RunDetail, report: DrillReport, horizon_min: int) -> None:
    from app.ops.edit import edit

    pivot, clock = _freeze_clock(detail, horizon_min)
    as_role = d.copy(clock)
    on_call, dispatcher = as_role("on_call"), as_role("dispatcher")
    earlier = sorted((i for i in detail.instances if i.start <= pivot.start), key=lambda i: (-i.start, i.id))
    target = _movable(on_call, detail, earlier)
    report.inputs.update(now=clock.now().isoformat(), instance=target.id if target else None)
    if target is None:
        report.check("frozen_instance", "a frozen instance to override", "none", False)
        return
    reason = "drill break-glass: driver collapsed, tour reassigned"
    _x, refused = _attempt(lambda: edit(dispatcher, detail.summary.id, "move", instance=target.id, to_driver=STANDIN,
                                       reason=reason, override_freeze=True))
    report.check("dispatcher_refused", "refused (exit 2, role)", refused.message if refused else "allowed",
                 refused is not None and refused.exit_code == EXIT_BLOCKED and "role" in refused.message)
    outcome, err = _attempt(lambda: edit(on_call, detail.summary.id, "move", instance=target.id, to_driver=STANDIN,
                                         reason=reason, override_freeze=True))
    report.check("on_call_override", "a new version", err.message if err else f"plan {outcome.run.id}", err is None)
    if err:
        return
    records = on_call.store.approvals.for_plan(on_call.scope, outcome.run.id)
    override = next((r for r in records if r.action == "override"), None)
    report.check("override_recorded", f"override record listing {target.id}",
                 (override.conditions_met if override else "no override record"),
                 override is not None and f"overridden:{target.id}" in override.conditions_met and override.reason == reason)
    in_log = any(r.action == "override" and r.plan_id == outcome.run.id for r in on_call.store.approvals.list_records(on_call.scope))
    report.check("override_in_log", True, in_log, in_log)
    chain = on_call.store.approvals.verify(on_call.scope)
    report.check("chain_verifies", True, chain.ok, chain.ok)
    if override is not None:
        report.hashes["override_record_hash"] = override.hash

