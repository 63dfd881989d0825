"""Review and decide: list and show runs, publish, lock, reject, the approval log."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict

from app.i18n import N_, _
from app.errors import EXIT_OK
from app.ops.freeze import FreezeView, freeze_of
from app.ops.policy import (
    APPROVERS,
    PLANNERS,
    SECOND_APPROVERS,
    Check,
    GateInput,
    first_unmet,
    lock_checks,
    publish_checks,
    reason_check,
    refuse_unless,
    reject_checks,
    role_check,
    second_approval_check,
)
from app.ops.session import Session
from app.ops.store_owner import process_alive
from app.ops.text import printable
from app.reports import fmt_when
from engine.bounds import LowerBound
from engine.driver_weeks import DriverWeek, driver_weeks
from engine.kpis import Kpis
from engine.models import DriverSpec
from storage.errors import StoreError
from storage.models import ApprovalRecord, ChainReport, RunDetail, RunSummary, SolveLease
from storage.repo_evidence import EvidencePack
from storage.scope import Actor


class ActionState(BaseModel):
    """Whether an action is possible now, and if not, why."""

    action: str
    possible: bool
    why_not: str
    transition: str  # e.g. "AUDITED → PUBLISHED"
    conditions: list[str]
    effects: list[str] = []  # what else it does, said before it is confirmed ("supersedes plan 4 (v1, PUBLISHED)")


class Uncovered(BaseModel):
    """A tour of a FAILED run that no driver could legally work, and why."""

    instance_id: str
    day: int
    start: int  # minute of its day
    end: int
    rule: str
    why: str


class RunView(BaseModel):
    """Everything the review screen and `show-run` show about one run."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    detail: RunDetail
    kpis: Kpis | None
    lower_bound: LowerBound | None
    gap: float | None
    weeks: list[DriverWeek]
    has_warnings: bool
    awaiting_second_approver: bool
    actions: dict[str, ActionState]
    next_steps: list[str]
    integrity: str | None = None  # why the stored plan is not what its approval chain proves (None: it is)
    freeze: FreezeView | None = None  # what is frozen now and when the next tours freeze
    pins: list[str] = []  # pinned instances (re-solves and repairs keep them)
    uncovered: list[Uncovered] = []  # a FAILED run: the tours no legal plan covers
    evidence: list[EvidencePack] = []  # the packs written for it (path, sha256)
    outbox: dict[str, int] = {}  # its driver notifications by state (PENDING, SENT, FAILED, NO_CONTACT)

    @property
    def run(self) -> RunSummary:
        return self.detail.summary

    @property
    def tour_count(self) -> int:
        """The run's tours; a FAILED run stored none, so its forecast's count."""
        return self.run.instance_count or self.detail.forecast.instance_count

    @property
    def needs_second_approver(self) -> bool:
        """The plan has warnings and is still to be published: the one state where that matters."""
        return self.has_warnings and self.run.state == "AUDITED"


class ActionOutcome(BaseModel):
    run: RunSummary
    message: str
    exit_code: int = EXIT_OK
    superseded: list[int] = []
    changed: bool = True  # False: the plan already was where the action leads (a lost lock race)


def kpis_of(run: RunSummary) -> Kpis | None:
    return Kpis.model_validate(run.kpis) if run.kpis.get("drivers") is not None else None


GATED_KPIS = frozenset({"coverage", "audits"})  # these block publishing outright: gates, not warnings


def has_warnings(run: RunSummary) -> bool:
    """A WARN forecast or a KPI in its alert band: publishing needs a second approver."""
    kpis = kpis_of(run)
    alerts = [c for c in kpis.checks if c.status == "ALERT" and c.name not in GATED_KPIS] if kpis else []
    return run.forecast_status == "WARN" or bool(alerts)


def list_runs(
    s: Session, *, site: str | None = None, week: date | None = None, states: list[str] | None = None, limit: int = 50
) -> list[RunSummary]:
    reap_stale(s)
    return s.store.plans.list_runs(s.scope, site=site, week=week, states=states, limit=limit)


# --- solve leases -------------------------------------------------------------------

LEASE_TTL = 60.0  # seconds without a heartbeat after which a SOLVING run is stale
HEARTBEAT_EVERY = 10.0  # how often a solving process renews its lease


def stale_reason(lease: SolveLease, now: datetime | None = None) -> str | None:
    """Why a SOLVING run's lease has expired (None while its solver is alive and reporting)."""
    if lease.heartbeat_at is None or lease.pid is None:
        return "it carries no solve lease (its process never reported)"
    now = now or datetime.now(UTC)
    age = (now - lease.heartbeat_at).total_seconds()
    if lease.host == socket.gethostname() and not process_alive(lease.pid):
        return f"its solver process {lease.pid} on {lease.host} is gone (last heartbeat {age:.0f} s ago)"
    if age > LEASE_TTL:
        return f"its solver process {lease.pid} on {lease.host} has not reported for {age:.0f} s"
    return None


def stale_runs(s: Session) -> list[tuple[int, str]]:
    return [(lease.plan_id, why) for lease in s.store.plans.leases(s.scope) if (why := stale_reason(lease))]


def reap_stale(s: Session) -> list[tuple[int, str]]:
    """Fail the SOLVING runs whose lease expired (a killed solver); on a read-only store only report them."""
    stale = stale_runs(s)
    if s.store.read_only:
        return stale
    for plan_id, why in stale:
        run = s.store.plans.get(s.scope, plan_id)
        try:
            s.store.plans.fail(s.scope, plan_id, run.state_version, f"stale solve lease: {why} (noticed by {s.display})",
                               Actor.system())
        except StoreError:
            pass  # someone else failed or finished it meanwhile
    return stale


def fail_run(s: Session, run_id: int, reason: str) -> ActionOutcome:
    """`runs fail ID --reason`: mark a stuck QUEUED/SOLVING/SOLVED/AUDITING run FAILED (not one that is alive)."""
    refuse_unless(role_check(s.role, PLANNERS, N_("fail runs")), reason_check(reason))
    run = s.store.plans.get(s.scope, run_id)
    if run.state == "SOLVING":
        lease = next((x for x in s.store.plans.leases(s.scope) if x.plan_id == run_id), None)
        if lease is not None and stale_reason(lease) is None:
            refuse_unless(Check("lease_expired", False, _(
                "run {id} is being solved by process {pid} on {host} (lease is alive); "
                "stop that process or wait for its lease to expire").format(id=run_id, pid=lease.pid, host=lease.host)))
    # the stored error text stays English (store contents are language-neutral); the message follows --lang
    result = s.store.plans.fail(s.scope, run_id, run.state_version, f"failed by {s.display}: {reason.strip()}", s.actor)
    return ActionOutcome(run=result.plan, message=_("run {id} FAILED ({state} → FAILED)").format(id=run_id, state=run.state))


def show_run(s: Session, run_id: int) -> RunView:
    reap_stale(s)
    with s.store.snapshot():  # the plan and the gates as of one moment
        detail = s.store.plans.detail(s.scope, run_id)
        gate = _gate_input(s, detail)
        integrity = s.store.approvals.plan_integrity(s.scope, run_id)
        evidence = s.store.evidence.for_plan(s.scope, run_id)
        outbox = s.store.outbox.counts(s.scope, run_id)
        drivers = _forecast_drivers(s, detail) if integrity is None and detail.summary.state in REAUDITED else None
        freeze = freeze_of(s, detail)
        pins = sorted(p.instance_id for p in s.store.pins.for_plan(s.scope, run_id))
        current = _current_versions(s, detail.summary)
        uncovered = _uncovered(s, detail.summary) if detail.summary.state == "FAILED" else []
    if drivers is not None:
        integrity = reaudit_problem(detail, drivers)
    run = detail.summary
    kpis = kpis_of(run)
    bound = LowerBound.model_validate(detail.lower_bound) if detail.lower_bound.get("value") is not None else None
    warnings = has_warnings(run)
    awaiting = warnings and run.state == "AUDITED" and any(r.action == "approve" for r in detail.approvals)
    actions = {
        "publish": _with_supersede(_publish_state(s, gate, detail.approvals), run, current, "PUBLISHED"),
        "lock": _with_supersede(_state("lock", lock_checks(gate), "PUBLISHED → LOCKED"), run, current, "LOCKED"),
        "reject": _state("reject", reject_checks(gate), f"{run.state} → REJECTED"),
    }
    if integrity is not None:
        why = _("the stored plan disagrees with its approval chain (solvereign log --verify)")
        actions = {k: a.model_copy(update={"possible": False, "why_not": why}) for k, a in actions.items()}
    return RunView(
        detail=detail,
        kpis=kpis,
        lower_bound=bound,
        gap=round(bound.gap(kpis.drivers), 4) if bound and kpis else None,
        weeks=driver_weeks(detail.instances, detail.assignments),
        has_warnings=warnings,
        awaiting_second_approver=awaiting,
        actions=actions,
        next_steps=_next_steps(run, actions, awaiting),
        integrity=integrity,
        freeze=freeze,
        pins=pins,
        uncovered=uncovered,
        evidence=evidence,
        outbox=outbox,
    )


REAUDITED = frozenset({"LOCKED", "PUBLISHED"})  # show-run re-runs their audits on the stored rows before saying 7/7


def _forecast_drivers(s: Session, detail: RunDetail) -> list[DriverSpec] | None:
    """The forecast's driver list (R10 input), or None when its content was purged (no re-audit then)."""
    from storage.errors import NotFound

    try:
        return list(s.store.forecasts.content(s.scope, detail.summary.forecast_id).canonical().drivers)
    except NotFound:
        return None


def reaudit_problem(detail: RunDetail, drivers: list[DriverSpec]) -> str | None:
    """Re-run the seven audits on the stored instances and assignments; a stored verdict that differs is a problem."""
    from engine.audits import run_audits

    fresh = {a.name: a.status for a in run_audits(detail.instances, detail.assignments, drivers=drivers)}
    stored = {a.name: a.status for a in detail.audits}
    differ = sorted(n for n in fresh.keys() | stored.keys() if fresh.get(n) != stored.get(n))
    if differ:
        return f"stored audit results differ from a fresh audit of the stored rows ({', '.join(differ)})"
    covered = len(detail.assignments)
    if covered != detail.summary.assigned_count or len(detail.instances) != detail.summary.instance_count:
        return "stored counters differ from the stored rows"
    return None


def _uncovered(s: Session, run: RunSummary) -> list[Uncovered]:
    """The forecast's tours that no driver can work at all (the rule table's own check)."""
    from engine.models import MINUTES_PER_DAY
    from engine.rules import DEFAULT_CONFIG, Piece, lone_breach

    rows = []
    for i in s.store.forecasts.content(s.scope, run.forecast_id).canonical().instances:
        breach = lone_breach(Piece(i.start, i.end, i.is_split), DEFAULT_CONFIG)
        if breach is not None:
            base = (i.day - 1) * MINUTES_PER_DAY
            rows.append(Uncovered(instance_id=i.id, day=i.day, start=i.start - base, end=i.end - base,
                                  rule=breach.rule, why=breach.message))
    return rows


def publish(s: Session, run_id: int, reason: str) -> ActionOutcome:
    """AUDITED → PUBLISHED; with warnings, the first approval is recorded and a second one publishes."""
    detail = s.store.plans.detail(s.scope, run_id)
    gate = _gate_input(s, detail)
    refuse_unless(*publish_checks(gate), reason_check(reason))
    run = detail.summary
    met = [c.name for c in publish_checks(gate)] + ["reason_given"]
    if gate.has_warnings:
        second = second_approval_check(s.role, s.people, detail.approvals)
        if second.unmet:
            refuse_unless(second)
        if not second.ok:
            s.store.plans.transition(
                s.scope, run_id, "approve", expected_version=run.state_version, actor=s.actor,
                reason=reason.strip(), conditions_met=[*met, "first_approval"],
            )
            after = s.store.plans.get(s.scope, run_id)
            return ActionOutcome(
                run=after,
                message=_(
                    "plan {id}: first approval recorded; it has warnings, so it stays AUDITED until a "
                    "different user with role ops_lead approves too"
                ).format(id=run_id),
            )
        met.append("second_approver")
    result = s.store.plans.transition(
        s.scope, run_id, "publish", expected_version=run.state_version, actor=s.actor, reason=reason.strip(), conditions_met=met
    )
    message = _("plan {id} published (AUDITED → PUBLISHED)").format(id=run_id) + superseded_note(result.superseded)
    return ActionOutcome(run=result.plan, message=message, superseded=list(result.superseded))


def superseded_note(plans: list[int]) -> str:
    """"; superseded plan 3" after a publish or lock that superseded older versions."""
    if not plans:
        return ""
    return "; " + _("superseded {plans}").format(plans=", ".join(_("plan {id}").format(id=p) for p in plans))


def lock(s: Session, run_id: int, reason: str) -> ActionOutcome:
    """PUBLISHED → LOCKED inside the lock window; idempotent; supersedes the older locked version.

    Whoever loses a race to lock the same plan hears "already LOCKED by X at T" with exit 0, the same
    answer as a lock of an already locked plan, so the exit code never depends on timing."""
    detail = s.store.plans.detail(s.scope, run_id)
    if detail.summary.state == "LOCKED":
        # idempotent, but only for someone who may lock: a viewer must not be told "done"
        refuse_unless(role_check(s.role, APPROVERS, N_("lock")))
        return ActionOutcome(run=detail.summary, message=already_locked(run_id, detail.approvals), changed=False)
    gate = _gate_input(s, detail)
    checks = lock_checks(gate)
    refuse_unless(*checks, reason_check(reason))
    result = s.store.plans.transition(
        s.scope, run_id, "lock", expected_version=detail.summary.state_version, actor=s.actor,
        reason=reason.strip(), conditions_met=[c.name for c in checks] + ["reason_given"],
    )
    if not result.changed:  # another process locked it between our read and our write
        return ActionOutcome(run=result.plan, message=already_locked(run_id, s.store.approvals.for_plan(s.scope, run_id)),
                             changed=False)
    message = _("plan {id} locked (PUBLISHED → LOCKED)").format(id=run_id) + superseded_note(result.superseded)
    if result.record is not None:
        rec = result.record
        message += "\n" + _("chain head {tenant}/{site} #{seq} {hash}").format(tenant=rec.tenant, site=rec.site, seq=rec.seq, hash=rec.hash)
    from app.ops.evidence import after_lock_note

    message += after_lock_note(s, run_id)
    return ActionOutcome(run=result.plan, message=message, superseded=list(result.superseded))


def already_locked(run_id: int, records: list[ApprovalRecord]) -> str:
    rec = next((r for r in reversed(records) if r.action == "lock"), None)
    if rec is None:
        return _("plan {id} is already LOCKED").format(id=run_id)
    return _("plan {id} is already LOCKED by {who} at {when}").format(id=run_id, who=printable(rec.actor), when=fmt_when(rec.at))


def reject(s: Session, run_id: int, reason: str) -> ActionOutcome:
    detail = s.store.plans.detail(s.scope, run_id)
    gate = _gate_input(s, detail)
    checks = reject_checks(gate)
    refuse_unless(*checks, reason_check(reason))
    run = detail.summary
    result = s.store.plans.transition(
        s.scope, run_id, "reject", expected_version=run.state_version, actor=s.actor,
        reason=reason.strip(), conditions_met=[c.name for c in checks] + ["reason_given"],
    )
    return ActionOutcome(run=result.plan, message=_("plan {id} rejected ({state} → REJECTED)").format(id=run_id, state=run.state))


def approvals(s: Session, run_id: int | None = None, limit: int = 200) -> list[ApprovalRecord]:
    if run_id is not None:
        return s.store.approvals.for_plan(s.scope, run_id)
    return list(reversed(s.store.approvals.list_records(s.scope, limit=limit)))


def verify_log(s: Session) -> ChainReport:
    return s.store.approvals.verify(s.scope)


# --- gates ------------------------------------------------------------------------


def _gate_input(s: Session, detail: RunDetail) -> GateInput:
    from app.ops.versions import lock_window_start

    run = detail.summary
    return GateInput(
        run=run,
        role=s.role,
        kill_switch=s.store.settings.kill_switch(s.scope),
        site=s.store.sites.get(s.scope, run.site),
        now=s.clock.now(),
        week_starts_at=lock_window_start(s, detail),
        has_warnings=has_warnings(run),
    )


def _state(action: str, checks: list[Check], transition: str) -> ActionState:
    unmet = first_unmet(checks)
    return ActionState(
        action=action, possible=unmet is None, why_not=unmet.unmet if unmet else "", transition=transition,
        conditions=[c.name for c in checks] + ["reason_given"],
    )


def _publish_state(s: Session, gate: GateInput, prior: list[ApprovalRecord]) -> ActionState:
    state = _state("publish", publish_checks(gate), "AUDITED → PUBLISHED")
    if state.possible and gate.has_warnings:
        second = second_approval_check(s.role, s.people, prior)
        if second.unmet:
            return state.model_copy(update={"possible": False, "why_not": second.unmet})
        if not second.ok:
            state = state.model_copy(update={"transition": "AUDITED → AUDITED " + _("(first of two approvals)")})
    return state


def _current_versions(s: Session, run: RunSummary) -> list[RunSummary]:
    """The other versions of the run's week that are PUBLISHED or LOCKED (at most one of each)."""
    others = s.store.plans.list_runs(s.scope, site=run.site, week=run.week_anchor, states=["PUBLISHED", "LOCKED"], limit=10)
    return [o for o in others if o.id != run.id]


def _with_supersede(state: ActionState, run: RunSummary, current: list[RunSummary], becomes: str) -> ActionState:
    """Publishing (locking) supersedes the older version in that state; a newer version that is
    already PUBLISHED or LOCKED blocks it (storage refuses it too)."""
    newer = next((o for o in current if o.version > run.version and o.state in (becomes, "LOCKED")), None)
    if newer is not None and state.possible:
        why = _("a newer version (plan {id}, v{version}) of this week is already {state}").format(
            id=newer.id, version=newer.version, state=newer.state)
        return state.model_copy(update={"possible": False, "why_not": why})
    effects = [_("supersedes plan {id} (v{version}, {state})").format(id=o.id, version=o.version, state=o.state)
               for o in current if o.state == becomes]
    return state.model_copy(update={"effects": effects}) if effects else state


def _next_steps(run: RunSummary, actions: dict[str, ActionState], awaiting: bool) -> list[str]:
    steps = []
    if awaiting:
        roles = (" " + _("or") + " ").join(sorted(SECOND_APPROVERS))
        steps.append(_("a second approver ({roles}, another user) runs: solvereign publish {id} --reason …").format(roles=roles, id=run.id))
    for name in ("publish", "lock"):
        if actions[name].possible:
            steps.append(f"solvereign {name} {run.id} --reason …")
    if run.state in ("AUDITED", "PUBLISHED") and not steps:
        steps.append(blocked_step(actions["publish" if run.state == "AUDITED" else "lock"].why_not))

    return steps


def blocked_step(why: str) -> str:
    """A next step that is a refusal: "blocked: <why>" (the cockpit shows these among its key hints)."""
    return _("blocked: {why}").format(why=why)


def is_blocked_step(step: str) -> bool:
    return step.startswith(blocked_step(""))
