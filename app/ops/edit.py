"""Hand edits (move one instance, swap two drivers' blocks on a day) and pins, as new plan versions.

Every edit is checked against the rule table before it is stored (`check_edit`, also what the
cockpit shows live): a change that would break a rule is refused with the rule and the driver named.
A LOCKED plan is never edited in place: the edit is a new version (kind edit) audited like any other.
"""

from __future__ import annotations

from pydantic import BaseModel

from app.i18n import N_, _
from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.ops.freeze import frozen_block, override_checks
from app.ops.policy import REPAIRERS, Check, reason_check, refuse_unless, role_check
from app.ops.session import Session
from app.ops.text import hidden_characters, printable
from app.ops.versions import Base, load_base, store_version
from engine.audits import AuditRow, run_audits
from engine.kpis import compute_kpis
from engine.hashing import output_hash
from engine.rules import DEFAULT_CONFIG
from storage.models import Pin, RunSummary, VersionExtras


class EditCheck(BaseModel):
    """What an edit would do and whether the rules allow it."""

    changes: dict[str, tuple[str, str]]  # instance → (from, to)
    breaks: list[AuditRow]  # rule breaches of the drivers the edit touches
    frozen: list[str]  # changed instances that are frozen
    pinned: list[str]  # changed instances that are pinned

    @property
    def first_break(self) -> str:
        if not self.breaks:
            return ""
        row = self.breaks[0]
        day = f" on day {row.day}" if row.day else ""
        return f"{row.rule} for {printable(row.driver or '-')}{day}: {row.message}"


class EditOutcome(BaseModel):
    check: EditCheck
    run: RunSummary | None  # None for a preview
    message: str


def _driver_id(driver: str) -> str:
    d = driver.strip()
    if not d or len(d) > 100 or hidden_characters(d):
        raise UserError(_("driver id {printable!r} is not a valid id (1–100 visible characters)").format(printable=printable(driver[:40])), EXIT_FAILED)
    return d


def move_changes(base: Base, instance_id: str, to_driver: str) -> dict[str, str]:
    parent = base.detail.assignments
    if instance_id not in parent:
        raise UserError(_("instance {printable} not found in plan {id}").format(printable=printable(instance_id), id=base.run.id), EXIT_FAILED)
    return {instance_id: _driver_id(to_driver)}


def swap_changes(base: Base, driver_a: str, driver_b: str, day: int) -> dict[str, str]:
    """Driver A's block on `day` goes to B and B's to A."""
    if not 1 <= day <= 7:
        raise UserError(_("--day {day} is not 1–7").format(day=day), EXIT_FAILED)
    by_id = {i.id: i for i in base.detail.instances}
    parent = base.detail.assignments
    a_ids = [iid for iid, d in parent.items() if d == driver_a and by_id[iid].day == day]
    b_ids = [iid for iid, d in parent.items() if d == driver_b and by_id[iid].day == day]
    if driver_a == driver_b or not (a_ids or b_ids):
        raise UserError(_("nothing to swap: {printable} and {printable2} have no block on day {day}").format(printable=printable(driver_a), printable2=printable(driver_b), day=day), EXIT_FAILED)
    return {**{iid: driver_b for iid in a_ids}, **{iid: driver_a for iid in b_ids}}


def check_edit(base: Base, changes: dict[str, str]) -> tuple[EditCheck, dict[str, str]]:
    """The edited assignment and the rule check of every driver it touches (audits of the whole plan)."""
    parent = base.detail.assignments
    real = {iid: d for iid, d in changes.items() if parent.get(iid) != d}
    assignments = {**parent, **real}
    touched = {parent[i] for i in real} | set(real.values())
    audits = run_audits(base.detail.instances, assignments, DEFAULT_CONFIG, base.forecast.drivers)
    breaks = [row for a in audits for row in a.rows if row.driver is None or row.driver in touched]
    return EditCheck(
        changes={iid: (parent[iid], d) for iid, d in sorted(real.items())},
        breaks=breaks, frozen=sorted(set(real) & base.frozen), pinned=sorted(set(real) & set(base.pins)),
    ), assignments


def edit(
    s: Session, run_id: int, changes_of: str, *, reason: str, instance: str = "", to_driver: str = "",
    driver_a: str = "", driver_b: str = "", day: int = 0, override_freeze: bool = False, preview: bool = False,
) -> EditOutcome:
    """`changes_of` is "move" (INSTANCE → DRIVER) or "swap" (A ⇄ B on DAY)."""
    refuse_unless(role_check(s.role, REPAIRERS, N_("edit plans")), reason_check(reason))
    base = load_base(s, run_id, what="an edit")
    changes = move_changes(base, instance, to_driver) if changes_of == "move" else swap_changes(base, driver_a, driver_b, day)
    check, assignments = check_edit(base, changes)
    if not check.changes:
        raise UserError(_("the edit changes nothing (the instance already has that driver)"), EXIT_FAILED)
    refuse_unless(Check("not_pinned", not check.pinned, _("instance(s) {items} are pinned; unpin them first").format(items=', '.join(check.pinned))))
    if check.frozen and not override_freeze:
        refuse_unless(frozen_block(check.frozen))
    refuse_unless(*override_checks(s, check.frozen, reason))
    if check.breaks:
        raise UserError(_("blocked: the edit breaks {first_break}").format(first_break=check.first_break), EXIT_BLOCKED)
    verb = "would move" if preview else "moves"
    summary = f"{verb} {len(check.changes)} instance(s): " + ", ".join(f"{i} {a} → {b}" for i, (a, b) in list(check.changes.items())[:5])
    if preview:
        return EditOutcome(check=check, run=None, message=_("rules hold; {summary}").format(summary=summary))
    audits = run_audits(base.detail.instances, assignments, DEFAULT_CONFIG, base.forecast.drivers)
    run = store_version(
        s, forecast_id=base.run.forecast_id, parent=base.run, kind="edit", forecast=base.forecast,
        assignments=assignments, audits=audits, kpis=compute_kpis(base.detail.instances, assignments, DEFAULT_CONFIG, audits),
        output_hash=output_hash(assignments, DEFAULT_CONFIG.config_hash()), lower_bound=base.detail.lower_bound,
        timings={"edit": changes_of, "reason": reason.strip()},
        extras=VersionExtras(pins=base.pins, override_reason=reason.strip() if check.frozen else "", overridden=tuple(check.frozen)),
    )
    return EditOutcome(check=check, run=run, message=_("plan {id} (v{version}, edit of plan {run_id}) {state}: {summary}").format(id=run.id, version=run.version, run_id=run_id, state=run.state, summary=summary))


def pin(s: Session, run_id: int, instance_id: str, *, reason: str = "", pinned: bool = True) -> Pin | None:
    """Pin (or unpin) an instance to its driver in the plan; re-solves and repairs of the plan keep it."""
    why = reason.strip() or f"{'pinned' if pinned else 'unpinned'} by {s.display}"
    refuse_unless(role_check(s.role, REPAIRERS, N_("pin assignments")), reason_check(why))
    return s.store.pins.set(s.scope, run_id, instance_id, pinned=pinned, actor=s.actor, reason=why)
