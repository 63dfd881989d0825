"""Escalation alerts (runbook §9.1): raised where the facts are decided, stored once per open subject,
posted to the configured webhook with doubling backoff, acknowledged with a reason by the roles of
their severity.

Solver timeout S2, audit failure S2, coverage < 100 % S1 after a solve (`raise_for_run`); a request
for a plan or forecast of another tenant or site S0 (`note_refusal`), stored in the caller's own scope
and naming only what they asked for, never whose it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel

from app.errors import UserError
from app.i18n import N_
from app.notify.channels import SendError, WebhookChannel
from app.ops.policy import ALERT_ACKERS, reason_check, refuse_unless, role_check, sees_alert
from app.ops.session import Session
from storage.errors import NotFound, StoreError
from storage.models import RunSummary
from storage.repo_alerts import MAX_DELIVERIES, AlertRecord, NewAlert

if TYPE_CHECKING:
    from engine.solver.api import SolveResult

WORST_FIRST = ("S0", "S1", "S2", "S3")


class AlertBanner(BaseModel):
    """What the cockpit's banner shows: how many open alerts the user sees, and the worst severity."""

    count: int
    worst: str | None


def run_alerts(run: RunSummary, result: SolveResult | None) -> list[NewAlert]:
    """The matrix's facts about one solved (or failed) run."""
    subject = f"run {run.id}"
    found: list[NewAlert] = []
    if result is not None and result.wall_limited:
        found.append(NewAlert(site=run.site, severity="S2", kind="solver_timeout", subject=subject,
                              message=f"run {run.id} ({run.site} {run.week_anchor}): the solver hit its time limit"))
    if run.audits_total and run.audits_passed < run.audits_total:
        found.append(NewAlert(site=run.site, severity="S2", kind="audit_failure", subject=subject,
                              message=f"run {run.id} ({run.site} {run.week_anchor}): audits {run.audits_passed}/{run.audits_total} pass"))
    if run.state == "FAILED" or run.assigned_count < run.instance_count:
        found.append(NewAlert(site=run.site, severity="S1", kind="coverage", subject=subject,
                              message=f"run {run.id} ({run.site} {run.week_anchor}): coverage {run.assigned_count}/{run.instance_count}"))
    return found


def raise_for_run(s: Session, run: RunSummary, result: SolveResult | None) -> list[AlertRecord]:
    """After a solve and its audits: raise what the matrix says, then post what is undelivered."""
    raised = [s.store.alerts.raise_alert(s.scope, a)[0] for a in run_alerts(run, result)]
    if raised:
        deliver_pending(s)
    return raised


def note_refusal(s: Session, exc: StoreError) -> AlertRecord | None:
    """A NotFound for a plan/forecast that exists outside the caller's scope is a scope violation attempt (S0).
    Whatever goes wrong here must not change the caller's answer (still "not found"): it returns None."""
    if not isinstance(exc, NotFound) or exc.kind is None or exc.key is None or not s.scope.sites:
        return None
    try:
        if not s.store.alerts.exists_elsewhere(s.scope, exc.kind, exc.key):
            return None
        alert, new = s.store.alerts.raise_alert(s.scope, NewAlert(
            site=min(s.scope.sites), severity="S0", kind="scope_violation", subject=f"{exc.kind} {exc.key} by {s.login}",
            message=f"{s.display} ({s.role}) asked for {exc.kind} {exc.key}, which lies outside their tenant and sites"))
        if new:
            deliver_pending(s)
        return alert
    except (StoreError, UserError):
        return None


def payload(alert: AlertRecord) -> dict[str, object]:
    return {"id": alert.id, "tenant": alert.tenant, "site": alert.site, "severity": alert.severity, "kind": alert.kind,
            "subject": alert.subject, "message": alert.message, "raised_at": alert.raised_at.isoformat()}


def deliver_pending(s: Session, hook: WebhookChannel | None = None, *, backoff: float | None = None,
                    sleep: Callable[[float], None] = time.sleep) -> list[AlertRecord]:
    """Post every undelivered alert of the scope; a failure is retried after backoff, 2×backoff, … up to
    MAX_DELIVERIES (then FAILED, shown by `alerts --all`). Without a webhook nothing is posted."""
    from app.notify.config import alert_webhook, backoff_seconds

    try:
        hook = hook or alert_webhook()
        backoff = backoff_seconds() if backoff is None else backoff
    except UserError:
        return []  # a broken config must not break the solve that raised the alert; `alerts` shows PENDING
    if hook is None:
        return []
    done = []
    for alert in s.store.alerts.list_alerts(s.scope, include_acked=True):
        if alert.delivery_state != "PENDING":
            continue
        for attempt in range(alert.delivery_attempts, MAX_DELIVERIES):
            try:
                hook.post(payload(alert), f"alert-{alert.tenant}-{alert.id}")
                alert = s.store.alerts.record_delivery(s.scope, alert.id, error=None)
                break
            except SendError as exc:
                alert = s.store.alerts.record_delivery(s.scope, alert.id, error=str(exc))
                if alert.delivery_state == "FAILED":
                    break
                sleep(backoff * 2 ** attempt)
        done.append(alert)
    return done


def visible_alerts(s: Session, *, include_acked: bool = False) -> list[AlertRecord]:
    return [a for a in s.store.alerts.list_alerts(s.scope, include_acked=include_acked) if sees_alert(s.role, a.severity)]


def banner(s: Session) -> AlertBanner:
    shown = visible_alerts(s)
    worst = min((a.severity for a in shown), key=WORST_FIRST.index, default=None)
    return AlertBanner(count=len(shown), worst=worst)


def ack(s: Session, alert_id: int, reason: str) -> AlertRecord:
    """Acknowledge with a reason; the roles depend on the severity (policy.ALERT_ACKERS)."""
    alert = s.store.alerts.get(s.scope, alert_id)
    refuse_unless(role_check(s.role, ALERT_ACKERS[alert.severity], N_("acknowledge this alert")), reason_check(reason))
    return s.store.alerts.ack(s.scope, alert_id, s.actor, reason)
