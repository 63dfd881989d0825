"""`status`: who am I, where, which gates are closed, what waits for me."""

from __future__ import annotations

from pydantic import BaseModel

from app.ops.runs import has_warnings, reap_stale
from app.ops.session import Session
from storage.models import KillSwitch, RunSummary, SiteRecord


class StatusView(BaseModel):
    login: str
    acting_as: str
    role: str
    tenant: str
    sites: list[str]
    store_path: str
    read_only: bool
    kill_switch: KillSwitch
    site_gates: list[SiteRecord]
    latest_runs: list[RunSummary]
    awaiting_second_approver: list[RunSummary]
    stale_runs: list[str] = []  # SOLVING runs whose solver stopped reporting (failed now, unless read-only)


def status(s: Session, *, latest: int = 10) -> StatusView:
    """One consistent read of the store (a snapshot), so the banners match the runs listed."""
    stale = reap_stale(s)
    with s.store.snapshot():
        view = _status(s, latest)
    return view.model_copy(update={"stale_runs": [f"run {pid}: {why}" for pid, why in stale]})


def _status(s: Session, latest: int) -> StatusView:
    runs = s.store.plans.list_runs(s.scope, limit=latest)
    audited = s.store.plans.list_runs(s.scope, states=["AUDITED"], limit=200)
    waiting = [r for r in audited if has_warnings(r) and _has_first_approval(s, r)]
    return StatusView(
        login=s.login,
        acting_as=s.display,
        role=s.role,
        tenant=s.user.tenant,
        sites=list(s.user.sites),
        store_path=s.store.location,
        read_only=s.store.read_only,
        kill_switch=s.store.settings.kill_switch(s.scope),
        site_gates=s.store.sites.list_sites(s.scope),
        latest_runs=runs,
        awaiting_second_approver=waiting,
    )


def _has_first_approval(s: Session, run: RunSummary) -> bool:
    return any(r.action == "approve" for r in s.store.approvals.for_plan(s.scope, run.id))
