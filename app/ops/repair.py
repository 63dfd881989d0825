"""Sick calls (SPEC §7): repair a plan around absent drivers as a new version, preview it, undo it.

The parent may be in any reviewed state, LOCKED included; it is never changed. Frozen and pinned
instances are passed to the engine as held. An emergency override (`override_freeze`, role on_call
or platform_admin, a reason) releases only the frozen instances of the absent drivers, and the
version then carries its own override record listing the instances that moved.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.i18n import N_, _
from app.errors import EXIT_FAILED, UserError
from app.ops.freeze import override_checks
from app.ops.policy import REPAIRERS, Check, reason_check, refuse_unless, role_check
from app.ops.session import Session
from app.ops.text import printable
from app.ops.versions import Base, load_base, store_version
from engine.clock import minute_of
from engine.models import MINUTES_PER_DAY
from engine.solver.repair import Absence, RepairRequest, RepairResult, repair
from storage.models import RunSummary, VersionExtras

ABSENCE_KINDS = ("sick", "vacation", "no_show")
UNDOABLE = frozenset({"repair", "edit", "resolve"})
DEFAULT_TIME_LIMIT = 10.0  # seconds a repair searches (the CLI's and the cockpit's default)


class RepairPreview(BaseModel):
    """What `repair --preview` shows and `repair` stores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    parent: RunSummary
    absent: list[str]
    kind: str
    start: int
    end: int
    frozen: list[str]  # frozen instances of the plan now
    pinned: list[str]
    released: list[str]  # frozen instances of absent drivers the override lets move
    kept_with_absent: list[str]  # frozen or pinned instances of absent drivers that stay with them
    overridden: list[str]  # released instances that did move
    horizon_min: int
    result: RepairResult


class RepairOutcome(BaseModel):
    preview: RepairPreview
    run: RunSummary
    message: str


def _window(base: Base, start: datetime | None, end: datetime | None) -> tuple[int, int]:
    anchor = base.run.week_anchor
    lo = minute_of(anchor, start) if start else 0
    hi = minute_of(anchor, end) if end else 7 * MINUTES_PER_DAY + MINUTES_PER_DAY
    if hi <= lo:
        raise UserError(_("--to must be after --from"), EXIT_FAILED)
    return lo, hi


def preview_repair(
    s: Session, run_id: int, absent: list[str], *, reason: str, kind: str = "sick",
    start: datetime | None = None, end: datetime | None = None, override_freeze: bool = False, time_limit: float = DEFAULT_TIME_LIMIT,
) -> RepairPreview:
    """Run the repair engine on the plan without writing anything."""
    return _prepare(s, run_id, absent, reason, kind, start, end, override_freeze, time_limit)[1]


def _prepare(
    s: Session, run_id: int, absent: list[str], reason: str, kind: str,
    start: datetime | None, end: datetime | None, override_freeze: bool, time_limit: float,
) -> tuple[Base, RepairPreview]:
    refuse_unless(role_check(s.role, REPAIRERS, N_("repair")), reason_check(reason))
    if kind not in ABSENCE_KINDS:
        raise UserError(_("--type {kind!r} is not one of {items}").format(kind=kind, items=', '.join(ABSENCE_KINDS)), EXIT_FAILED)
    names = sorted({a.strip() for a in absent if a.strip()})
    if not names:
        raise UserError(_("--absent needs at least one driver id"), EXIT_FAILED)
    base = load_base(s, run_id, what="repair")
    parent = base.detail.assignments
    working = set(parent.values())
    unknown = [d for d in names if d not in working]
    if unknown:
        raise UserError(_("driver {printable} has no work in plan {run_id}").format(printable=printable(unknown[0]), run_id=run_id), EXIT_FAILED)
    lo, hi = _window(base, start, end)
    absences = [Absence(driver=d, kind=kind, start=lo, end=hi) for d in names]
    by_id = {i.id: i for i in base.detail.instances}
    of_absent = sorted(iid for iid, d in parent.items() if any(a.driver == d and a.covers(by_id[iid]) for a in absences))
    frozen_absent = [iid for iid in of_absent if iid in base.frozen and iid not in base.pins]
    if override_freeze:
        refuse_unless(*override_checks(s, frozen_absent or ["-"], reason))
    released = frozen_absent if override_freeze else []
    held = (base.frozen - set(released)) | set(base.pins)
    result = repair(RepairRequest(forecast=base.forecast, parent=parent, absent=absences, held=frozenset(held),
                                  seed=base.run.seed, time_limit=time_limit))
    return base, RepairPreview(
        parent=base.run, absent=names, kind=kind, start=lo, end=hi,
        frozen=sorted(base.frozen), pinned=sorted(base.pins), released=released,
        kept_with_absent=[iid for iid in of_absent if iid in held],
        overridden=[iid for iid in released if result.assignments.get(iid) != parent.get(iid)],
        horizon_min=base.horizon_min, result=result,
    )


def apply_repair(
    s: Session, run_id: int, absent: list[str], *, reason: str, kind: str = "sick",
    start: datetime | None = None, end: datetime | None = None, override_freeze: bool = False, time_limit: float = DEFAULT_TIME_LIMIT,
) -> RepairOutcome:
    """Store the repair as a new AUDITED version (parent = the plan); refused when the repair fails its bar."""
    base, preview = _prepare(s, run_id, absent, reason, kind, start, end, override_freeze, time_limit)
    result = preview.result
    if result.verdict != "PASS":  # nothing stored: the plan stays as it was
        raise UserError(_("repair of plan {run_id} found no legal plan: ").format(run_id=run_id) + "; ".join(result.reasons), EXIT_FAILED)
    run = store_version(
        s, forecast_id=base.run.forecast_id, parent=base.run, kind="repair",
        forecast=base.forecast, assignments=result.assignments, audits=result.audits,
        kpis=result.kpis, output_hash=result.output_hash, lower_bound=base.detail.lower_bound,
        timings={"repair_s": result.seconds, "absent": preview.absent, "absence_kind": kind, "churn": result.churn},
        extras=VersionExtras(pins=base.pins, override_reason=reason.strip() if preview.overridden else "",
                             overridden=tuple(preview.overridden)),
    )
    message = (f"plan {run.id} (v{run.version}, repair of plan {run_id}) {run.state}: {len(result.changes)} change(s), "
               f"churn {100 * result.churn:.1f} %, audits {run.audits_passed}/{run.audits_total}")
    if preview.overridden:
        message += f"; freeze override recorded for {len(preview.overridden)} instance(s)"
    return RepairOutcome(preview=preview, run=run, message=message)


def undo(s: Session, run_id: int, reason: str = "") -> RunSummary:
    """Discard a repair/edit/re-solve version that is not yet published (recorded as a rejection)."""
    run = s.store.plans.get(s.scope, run_id)
    why = reason.strip() or f"undo: discard {run.kind} v{run.version} before it is published"
    refuse_unless(
        role_check(s.role, REPAIRERS, N_("undo")), reason_check(why),
        Check("undoable_kind", run.kind in UNDOABLE, _("plan {run_id} is a {kind}, not a repair or edit: nothing to undo").format(run_id=run_id, kind=run.kind)),
        Check("state_audited", run.state == "AUDITED", _("plan {run_id} is {state}; undo needs AUDITED (not yet published)").format(run_id=run_id, state=run.state)),
    )
    return s.store.plans.transition(s.scope, run_id, "reject", expected_version=run.state_version, actor=s.actor,
                                    reason=why, conditions_met=["undo", "not_published"]).plan
