"""The plan state machine of SPEC §6, enforced on write by one function.

    QUEUED → SOLVING → SOLVED → AUDITING → AUDITED ─publish→ PUBLISHED ─lock→ LOCKED ─→ SUPERSEDED
    any of the first four → FAILED;  AUDITED/PUBLISHED ─reject→ REJECTED
    PUBLISHED ─(a newer version of the week published)→ SUPERSEDED

`transition` is the only code that changes `plans.state`. It checks scope, the
caller's `state_version` (optimistic concurrency: a stale version is refused, so no
update is lost), and the table below; bumps the version; writes the approval record
in the same transaction; on publish supersedes the older PUBLISHED version of the same
tenant/site/week (at most one is PUBLISHED), and on lock the older LOCKED one; a newer
version already in that state blocks. `approve` (first of two approvals) and `override`
(freeze override) are recorded without changing the state.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from storage import approvals
from storage.db import Tx
from storage.errors import IllegalTransition, InvalidInput, NotFound, PlanLocked, StaleVersion, TamperedPlan
from storage.models import ApprovalRecord
from storage.scope import Actor, Scope


class State(StrEnum):
    QUEUED = "QUEUED"
    SOLVING = "SOLVING"
    SOLVED = "SOLVED"
    AUDITING = "AUDITING"
    AUDITED = "AUDITED"
    PUBLISHED = "PUBLISHED"
    LOCKED = "LOCKED"
    SUPERSEDED = "SUPERSEDED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"


class Action(StrEnum):
    QUEUE = "queue"
    SOLVE = "solve"
    SOLVED = "solved"
    AUDIT = "audit"
    AUDITED = "audited"
    APPROVE = "approve"
    PUBLISH = "publish"
    LOCK = "lock"
    SUPERSEDE = "supersede"
    FAIL = "fail"
    REJECT = "reject"
    OVERRIDE = "override"


_EARLY = frozenset({State.QUEUED, State.SOLVING, State.SOLVED, State.AUDITING})

# action → (states it may start from, state it leads to; None = recorded without a state change)
RULES: dict[Action, tuple[frozenset[State], State | None]] = {
    Action.SOLVE: (frozenset({State.QUEUED}), State.SOLVING),
    Action.SOLVED: (frozenset({State.SOLVING}), State.SOLVED),
    Action.AUDIT: (frozenset({State.SOLVED}), State.AUDITING),
    Action.AUDITED: (frozenset({State.AUDITING}), State.AUDITED),
    Action.PUBLISH: (frozenset({State.AUDITED}), State.PUBLISHED),
    Action.LOCK: (frozenset({State.PUBLISHED}), State.LOCKED),
    Action.SUPERSEDE: (frozenset({State.LOCKED, State.PUBLISHED}), State.SUPERSEDED),
    Action.FAIL: (_EARLY, State.FAILED),
    Action.REJECT: (frozenset({State.AUDITED, State.PUBLISHED}), State.REJECTED),
    Action.APPROVE: (frozenset({State.AUDITED}), None),
    Action.OVERRIDE: (_EARLY | {State.AUDITED}, None),
}

# every allowed (from, to) state change, derived from RULES (tests and docs use it)
STATE_CHANGES: frozenset[tuple[State, State]] = frozenset(
    (start, target) for starts, target in RULES.values() if target is not None for start in starts
)
IMMUTABLE = frozenset({State.LOCKED, State.SUPERSEDED})
# the action → the state of which at most one version per tenant/site/week may be
SUPERSEDES = {Action.PUBLISH: State.PUBLISHED, Action.LOCK: State.LOCKED}
NEEDS_REASON = frozenset({Action.APPROVE, Action.PUBLISH, Action.LOCK, Action.REJECT, Action.OVERRIDE})


@dataclass(frozen=True)
class PlanHead:
    """The columns the state machine needs."""

    id: int
    tenant: str
    site: str
    week_anchor: date
    version: int
    state: State
    state_version: int


@dataclass(frozen=True)
class Outcome:
    record: ApprovalRecord | None
    superseded: tuple[int, ...]
    changed: bool


def load_head(tx: Tx, scope: Scope, plan_id: int) -> PlanHead:
    """The plan if it is inside the scope; otherwise exactly 'not found'."""
    where, params = scope.where()
    row = tx.one(
        f"SELECT id, tenant_code, site_code, week_anchor, version, state, state_version FROM plans WHERE id = ? AND {where}",
        [plan_id, *params],
    )
    if row is None:
        raise NotFound(f"plan {plan_id} not found")
    return PlanHead(row[0], row[1], row[2], row[3], row[4], State(row[5]), row[6])


def transition(
    tx: Tx,
    scope: Scope,
    plan_id: int,
    action: Action,
    *,
    expected_version: int,
    actor: Actor,
    reason: str = "",
    conditions_met: tuple[str, ...] | list[str] = (),
    error: str | None = None,
    write_rows: Callable[[], None] | None = None,
) -> Outcome:
    """Apply one action to one plan inside the caller's transaction (the only writer of `plans.state`).

    A plan whose stored state or rows disagree with its newest approval record is refused
    (`TamperedPlan`). `write_rows` runs after every check and before the record is written, so
    the record covers the rows a solve stores."""
    if not tx.writable:
        raise RuntimeError("transition needs a write session")
    if action is Action.QUEUE:
        raise ValueError("plans enter QUEUED only by being created")
    plan = load_head(tx, scope, plan_id)
    if action is Action.LOCK and plan.state is State.LOCKED:
        return Outcome(record=None, superseded=(), changed=False)  # locking is idempotent
    problem = approvals.plan_problem(tx, plan_id, plan.state.value, plan.state_version)
    if problem:
        raise TamperedPlan(
            f"plan {plan_id} was changed outside the program ({problem}); refusing to {action.value} it — "
            "run 'solvereign log --verify' and restore the store from a backup"
        )
    if plan.state_version != expected_version:
        raise StaleVersion(plan_id, expected_version, plan.state_version)
    starts, target = RULES[action]
    if plan.state not in starts:
        kind = PlanLocked if plan.state in IMMUTABLE else IllegalTransition
        detail = "it is immutable" if plan.state in IMMUTABLE else f"{action.value} needs {_names(starts)}"
        raise kind(
            f"plan {plan_id} is {plan.state.value}: cannot {action.value} ({detail})",
            plan_id=plan_id, state=plan.state.value, action=action.value,
        )
    if action in NEEDS_REASON and not reason.strip():
        raise InvalidInput(f"{action.value} needs a reason")
    superseded: tuple[int, ...] = ()
    if action in SUPERSEDES:
        superseded = _supersede_older(tx, plan, action, actor)
    new_state = target or plan.state
    updated = tx.changed(
        "UPDATE plans SET state = ?, state_version = state_version + 1, updated_at = ?, "
        "locked_at = CASE WHEN ? THEN ? ELSE locked_at END, error_text = coalesce(?, error_text), "
        "lease_pid = CASE WHEN ? THEN ? END, lease_host = CASE WHEN ? THEN ? END, "
        "lease_heartbeat = CASE WHEN ? THEN ? END "
        "WHERE id = ? AND state_version = ?",
        [new_state.value, tx.now, action is Action.LOCK, tx.now, error, *_lease(tx, new_state is State.SOLVING),
         plan_id, expected_version],
    )
    if updated != 1:  # cannot happen inside one transaction; guard against silent loss anyway
        raise StaleVersion(plan_id, expected_version, -1)
    if write_rows is not None:
        write_rows()
    record = approvals.append(
        tx, tenant=plan.tenant, site=plan.site, plan_id=plan_id, action=action.value,
        from_state=plan.state.value, to_state=new_state.value, actor=actor,
        reason=reason or (error or ""), conditions_met=conditions_met,
    )
    return Outcome(record=record, superseded=superseded, changed=True)


def _lease(tx: Tx, solving: bool) -> list[object]:
    """A SOLVING plan carries a lease (this process, this host, a heartbeat in real time); other states none."""
    return [solving, os.getpid(), solving, socket.gethostname(), solving, tx.real_now or tx.now]


def _supersede_older(tx: Tx, plan: PlanHead, action: Action, actor: Actor) -> tuple[int, ...]:
    """Publishing (locking) a version supersedes the older PUBLISHED (LOCKED) one(s) of the same
    week; a newer version already in that state blocks."""
    state = SUPERSEDES[action]
    blocking = {state, State.LOCKED}  # an older version never becomes current over a newer locked one
    rows = tx.all(
        "SELECT id, version, state_version, state FROM plans WHERE tenant_code = ? AND site_code = ? "
        "AND week_anchor = ? AND list_contains(?, state) AND id <> ? ORDER BY version",
        [plan.tenant, plan.site, plan.week_anchor, [b.value for b in blocking], plan.id],
    )
    newer = [r for r in rows if r[1] > plan.version]
    if newer:
        raise IllegalTransition(
            f"plan {plan.id} (v{plan.version}) cannot be {state.value.lower()}: a newer version (plan {newer[0][0]}, "
            f"v{newer[0][1]}) of this week is already {newer[0][3]}",
            plan_id=plan.id, state=plan.state.value, action=action.value,
        )
    rows = [r for r in rows if r[3] == state.value]
    scope = Scope.of(plan.tenant, plan.site)
    for old_id, _, old_version, _ in rows:
        transition(
            tx, scope, old_id, Action.SUPERSEDE, expected_version=old_version, actor=actor,
            reason=f"superseded by plan {plan.id} (v{plan.version}) on {action.value}",
        )
    return tuple(r[0] for r in rows)


def _names(states: frozenset[State]) -> str:
    return "/".join(s.value for s in State if s in states)
