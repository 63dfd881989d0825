"""Plan versions: create, store a solver result and audits, move through the lifecycle, read.

Instances and assignments are written only in the SOLVING → SOLVED step and audit
results only in AUDITING → AUDITED, each right after `lifecycle.transition`
succeeded in the same transaction; so a LOCKED plan's data cannot change through
any function here. The solve itself runs between calls, with no connection open.
"""

from __future__ import annotations

import json
import os
from datetime import date

from storage import lifecycle
from storage.approvals import append, plan_records
from storage.backend import Database
from storage.db import Tx
from storage.errors import InvalidInput
from storage.lifecycle import Action, State
from storage.clock import from_db
from storage.models import AuditResult, NewPlan, PlanResult, RunDetail, RunSummary, SolveLease, TransitionResult, VersionExtras
from storage.plan_rows import (
    SUMMARY_COLUMNS,
    SUMMARY_FROM,
    insert_assignments,
    insert_audits,
    insert_instances,
    load_assignments,
    load_audits,
    load_instances,
    load_summary,
    summary_from_row,
)
from storage.repo_forecasts import load_forecast
from storage.repo_pins import copy_pins
from storage.scope import Actor, Scope, reads, writes

PUBLIC_ACTIONS = frozenset(
    {Action.SOLVE, Action.AUDIT, Action.APPROVE, Action.PUBLISH, Action.LOCK, Action.REJECT, Action.FAIL, Action.OVERRIDE}
)
_CHECKPOINT_AFTER = frozenset({Action.PUBLISH, Action.LOCK})


class PlanRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writes ----------------------------------------------------------------

    @writes
    def create(self, scope: Scope, new: NewPlan, actor: Actor) -> RunSummary:
        """A new plan version in QUEUED (version numbers count per tenant/site/week)."""
        with self._db.session(write=True) as tx:
            plan_id = insert_plan(tx, scope, new, actor)
            return load_summary(tx, scope, plan_id)

    @writes
    def save(self, scope: Scope, new: NewPlan, result: PlanResult | None, actor: Actor, *, error: str | None = None) -> TransitionResult:
        """Create and store a finished solve in one transaction (QUEUED … SOLVED, or … AUDITED when audits are given;
        FAILED when `error` is given instead of a result)."""
        if (result is None) == (error is None):
            raise ValueError("pass exactly one of result and error")
        with self._db.session(write=True) as tx:
            plan_id = insert_plan(tx, scope, new, actor)
            outcome = lifecycle.transition(tx, scope, plan_id, Action.SOLVE, expected_version=1, actor=actor)
            if error is not None:
                outcome = lifecycle.transition(tx, scope, plan_id, Action.FAIL, expected_version=2, actor=actor, error=error)
            else:
                assert result is not None
                outcome = write_result(tx, scope, plan_id, 2, result, actor)
            return TransitionResult(plan=load_summary(tx, scope, plan_id), record=outcome.record)

    @writes
    def save_version(self, scope: Scope, new: NewPlan, result: PlanResult, actor: Actor, extras: VersionExtras) -> TransitionResult:
        """A repair/edit/re-solve version in one transaction: QUEUED … AUDITED, the pins it inherits, and its
        freeze override record (listing the overridden instances) when it moves frozen ones."""
        if new.parent_plan_id is None or result.audits is None:
            raise ValueError("a version needs its parent and its audits")
        if extras.overridden and not extras.override_reason.strip():
            raise InvalidInput("a freeze override needs a reason")
        with self._db.session(write=True) as tx:
            plan_id = insert_plan(tx, scope, new, actor)
            lifecycle.transition(tx, scope, plan_id, Action.SOLVE, expected_version=1, actor=actor)
            outcome = write_result(tx, scope, plan_id, 2, result, actor)
            copy_pins(tx, plan_id, extras.pins, actor, f"kept from plan {new.parent_plan_id}")
            if extras.overridden:
                outcome = lifecycle.transition(
                    tx, scope, plan_id, Action.OVERRIDE, expected_version=5, actor=actor, reason=extras.override_reason,
                    conditions_met=("freeze_override", f"role_{actor.role}", "reason_given",
                                    *(f"overridden:{i}" for i in extras.overridden)),
                )
            return TransitionResult(plan=load_summary(tx, scope, plan_id), record=outcome.record)

    @writes
    def record_result(self, scope: Scope, plan_id: int, expected_version: int, result: PlanResult, actor: Actor) -> TransitionResult:
        """SOLVING → SOLVED with the solver's output (→ AUDITING → AUDITED too if `result.audits` is set)."""
        with self._db.session(write=True) as tx:
            outcome = write_result(tx, scope, plan_id, expected_version, result, actor)
            return TransitionResult(plan=load_summary(tx, scope, plan_id), record=outcome.record)

    @writes
    def record_audits(
        self, scope: Scope, plan_id: int, expected_version: int, audits: list[AuditResult], actor: Actor,
        *, kpis: dict[str, object] | None = None,
    ) -> TransitionResult:
        """AUDITING → AUDITED with the seven audit results (and optionally the final KPIs)."""
        with self._db.session(write=True) as tx:
            outcome = write_audits(tx, scope, plan_id, expected_version, audits, actor, kpis)
            return TransitionResult(plan=load_summary(tx, scope, plan_id), record=outcome.record)

    @writes
    def transition(
        self, scope: Scope, plan_id: int, action: Action | str, *, expected_version: int, actor: Actor,
        reason: str = "", conditions_met: tuple[str, ...] | list[str] = (), error: str | None = None,
    ) -> TransitionResult:
        """solve / audit / approve / publish / lock / reject / fail / override, with its approval record.

        Gates (roles, kill switch, site, audits, window) are the app's job; this enforces the state
        machine and the version. The store is checkpointed after publish and lock."""
        action = Action(action)
        if action not in PUBLIC_ACTIONS:
            raise ValueError(f"{action.value} is not a public action (use record_result/record_audits; supersede happens on lock)")
        with self._db.session(write=True, checkpoint=action in _CHECKPOINT_AFTER) as tx:
            outcome = lifecycle.transition(
                tx, scope, plan_id, action, expected_version=expected_version, actor=actor,
                reason=reason, conditions_met=tuple(conditions_met), error=error,
            )
            return TransitionResult(
                plan=load_summary(tx, scope, plan_id), record=outcome.record,
                superseded=outcome.superseded, changed=outcome.changed,
            )

    @writes
    def fail(self, scope: Scope, plan_id: int, expected_version: int, error: str, actor: Actor) -> TransitionResult:
        """Mark a queued/solving/solved/auditing plan FAILED with its error text."""
        return self.transition(scope, plan_id, Action.FAIL, expected_version=expected_version, actor=actor, error=error)

    @writes
    def heartbeat(self, scope: Scope, plan_id: int) -> bool:
        """Renew this process's lease on a SOLVING plan (real time); False when the plan left SOLVING."""
        where, params = scope.where()
        with self._db.session(write=True) as tx:
            lifecycle.load_head(tx, scope, plan_id)  # not found outside the scope
            return tx.changed(
                f"UPDATE plans SET lease_heartbeat = ? WHERE id = ? AND state = 'SOLVING' AND lease_pid = ? AND {where}",
                [tx.real_now or tx.now, plan_id, os.getpid(), *params],
            ) == 1

    # --- reads -----------------------------------------------------------------

    @reads
    def leases(self, scope: Scope) -> list[SolveLease]:
        """The leases of the SOLVING runs in the scope."""
        where, params = scope.where()
        with self._db.session(write=False) as tx:
            rows = tx.all(
                f"SELECT id, lease_pid, lease_host, lease_heartbeat FROM plans WHERE state = 'SOLVING' AND {where} ORDER BY id",
                params,
            )
        return [SolveLease(plan_id=r[0], pid=r[1], host=r[2], heartbeat_at=from_db(r[3])) for r in rows]

    @reads
    def get(self, scope: Scope, plan_id: int) -> RunSummary:
        with self._db.session(write=False) as tx:
            return load_summary(tx, scope, plan_id)

    @reads
    def detail(self, scope: Scope, plan_id: int) -> RunDetail:
        """Summary, forecast, instances, assignments, bound, timings, audits and approvals in one snapshot."""
        with self._db.session(write=False) as tx:
            summary = load_summary(tx, scope, plan_id)
            lower_bound, timings = tx.one("SELECT lower_bound, timings FROM plans WHERE id = ?", [plan_id]) or ("{}", "{}")
            return RunDetail(
                summary=summary,
                forecast=load_forecast(tx, scope, summary.forecast_id),
                instances=load_instances(tx, plan_id),
                assignments=load_assignments(tx, plan_id),
                lower_bound=json.loads(lower_bound),
                timings=json.loads(timings),
                audits=load_audits(tx, plan_id),
                approvals=plan_records(tx, scope, plan_id),
            )

    @reads
    def list_runs(
        self, scope: Scope, *, site: str | None = None, week: date | None = None,
        states: list[str] | None = None, limit: int = 500, offset: int = 0,
    ) -> list[RunSummary]:
        """Newest first; filters are optional and always inside the scope."""
        where, params = scope.where("p")
        if site is not None:
            where += " AND p.site_code = ?"
            params.append(site)
        if week is not None:
            where += " AND p.week_anchor = ?"
            params.append(week)
        if states:
            where += " AND list_contains(?, p.state)"
            params.append([State(s).value for s in states])
        with self._db.session(write=False) as tx:
            rows = tx.all(
                f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} WHERE {where} ORDER BY p.id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        return [summary_from_row(r) for r in rows]


def insert_plan(tx: Tx, scope: Scope, new: NewPlan, actor: Actor) -> int:
    """A QUEUED plan row plus its first approval record, inside the caller's transaction."""
    forecast = load_forecast(tx, scope, new.forecast_id)
    if new.parent_plan_id is not None:
        parent = lifecycle.load_head(tx, scope, new.parent_plan_id)
        if (parent.site, parent.week_anchor) != (forecast.site, forecast.week_anchor):
            raise InvalidInput(f"parent plan {parent.id} belongs to another site or week")
    version = tx.scalar(
        "SELECT coalesce(max(version), 0) + 1 FROM plans WHERE tenant_code = ? AND site_code = ? AND week_anchor = ?",
        [forecast.tenant, forecast.site, forecast.week_anchor],
    )
    plan_id = int(tx.scalar("SELECT nextval('plan_ids')"))
    tx.execute(
        "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, 0, 0, 0, 0, 0, '{}', '{}', '{}', NULL, ?, ?, ?, NULL, NULL, NULL, NULL)",
        [plan_id, forecast.tenant, forecast.site, forecast.week_anchor, forecast.id, version, new.parent_plan_id,
         new.kind, new.seed, new.solver_config_hash, State.QUEUED.value, actor.name, tx.now, tx.now],
    )
    append(
        tx, tenant=forecast.tenant, site=forecast.site, plan_id=plan_id, action=Action.QUEUE.value,
        from_state=None, to_state=State.QUEUED.value, actor=actor, reason=f"{new.kind} v{version}", conditions_met=(),
    )
    return plan_id


def write_result(tx: Tx, scope: Scope, plan_id: int, expected_version: int, result: PlanResult, actor: Actor) -> lifecycle.Outcome:
    """SOLVING → SOLVED, then the solution rows (only ever written right after that transition)."""
    ids = [i.id for i in result.instances]
    known = set(ids)
    if len(known) != len(ids):
        raise InvalidInput("instance ids must be unique within a plan")
    unknown = sorted(set(result.assignments) - known)
    if unknown:
        raise InvalidInput(f"assignments name unknown instances: {', '.join(unknown[:5])}")
    def rows() -> None:
        insert_instances(tx, plan_id, result.instances)
        insert_assignments(tx, plan_id, result.assignments)
        tx.execute(
            "UPDATE plans SET output_hash = ?, instance_count = ?, assigned_count = ?, driver_count = ?, "
            "kpis = ?, lower_bound = ?, timings = ? WHERE id = ?",
            [result.output_hash, len(ids), len(result.assignments), len(set(result.assignments.values())),
             json.dumps(result.kpis), json.dumps(result.lower_bound), json.dumps(result.timings), plan_id],
        )

    outcome = lifecycle.transition(
        tx, scope, plan_id, Action.SOLVED, expected_version=expected_version, actor=actor, write_rows=rows
    )
    if result.audits is None:
        return outcome
    lifecycle.transition(tx, scope, plan_id, Action.AUDIT, expected_version=expected_version + 1, actor=actor)
    return write_audits(tx, scope, plan_id, expected_version + 2, result.audits, actor, None)


def write_audits(
    tx: Tx, scope: Scope, plan_id: int, expected_version: int, audits: list[AuditResult], actor: Actor,
    kpis: dict[str, object] | None,
) -> lifecycle.Outcome:
    """AUDITING → AUDITED, then the audit rows."""
    names = [a.name for a in audits]
    if len(set(names)) != len(names):
        raise InvalidInput("audit names must be unique")
    passed = sum(a.status == "PASS" for a in audits)
    def rows() -> None:
        insert_audits(tx, plan_id, audits)
        tx.execute("UPDATE plans SET audits_passed = ?, audits_total = ? WHERE id = ?", [passed, len(audits), plan_id])
        if kpis is not None:
            tx.execute("UPDATE plans SET kpis = ? WHERE id = ?", [json.dumps(kpis), plan_id])

    outcome = lifecycle.transition(
        tx, scope, plan_id, Action.AUDITED, expected_version=expected_version, actor=actor,
        conditions_met=("audits_pass",) if audits and passed == len(audits) else (), write_rows=rows,
    )
    return outcome
