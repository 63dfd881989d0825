"""GDPR erasure of a driver (runbook §7.1: "Data deletion — DPO + Platform Lead").

Two distinct people: the first of roles dpo / platform_admin requests, a different person with the
other role confirms, and only then is the driver pseudonymised (storage/gdpr.py). Both run the same
command; neither sees nor records more personal data than the id they type.
"""

from __future__ import annotations

from pydantic import BaseModel

from app.i18n import N_, _
from app.errors import EXIT_BLOCKED, UserError
from app.ops.policy import reason_check, refuse_unless, role_check
from app.ops.session import Session, people_of
from storage.gdpr import ErasureRequest

ERASERS = frozenset({"dpo", "platform_admin"})


class ErasureOutcome(BaseModel):
    request: ErasureRequest
    done: bool
    message: str


def erase_driver(s: Session, site: str | None, driver: str, reason: str) -> ErasureOutcome:
    """First call: the request. Second call, by another person of the other role: the erasure."""
    refuse_unless(role_check(s.role, ERASERS, N_("erase personal data")), reason_check(reason))
    site = site or _only_site(s)
    pending = s.store.gdpr.pending(s.scope, site, driver)
    if pending is None:
        req = s.store.gdpr.request(s.scope, site, driver, s.actor, reason.strip())
        other = "platform_admin" if s.role == "dpo" else "dpo"
        return ErasureOutcome(request=req, done=False, message=(
            _("erasure #{id} requested; a different person with role {other} runs the same command to carry it out").format(id=req.id, other=other)))
    if people_of(pending.requested_by) & s.people:
        raise UserError(_("blocked: erasure #{id} was requested by you; a second, different person must confirm it").format(id=pending.id),
                        EXIT_BLOCKED)
    if pending.requested_role == s.role:
        other = "platform_admin" if s.role == "dpo" else "dpo"
        raise UserError(_("blocked: erasure #{id} was requested by a {role}; it needs a {other} to confirm").format(id=pending.id, role=s.role, other=other),
                        EXIT_BLOCKED)
    done = s.store.gdpr.execute(s.scope, site, driver, pending.id, s.actor)
    return ErasureOutcome(request=done, done=True, message=(
        _("erasure #{id} done: the driver is now {pseudonym}; {n_plans_changed} unlocked plan(s) pseudonymised, {n_locked_plans_kept} locked plan(s) keep their rows until retention, {n_packs_removed} evidence pack(s) of changed plans removed, {n_forecasts} stored forecast input(s) redacted").format(id=done.id, pseudonym=done.pseudonym, n_plans_changed=len(done.plans_changed), n_locked_plans_kept=len(done.locked_plans_kept), n_packs_removed=len(done.packs_removed), n_forecasts=len(done.forecasts_redacted))))


def _only_site(s: Session) -> str:
    if len(s.scope.sites) != 1:
        raise UserError(_("you hold several sites: name one with --site"), 1)
    return next(iter(s.scope.sites))
