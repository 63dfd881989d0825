"""Tell drivers their week after a lock (runbook: Wednesday 08:00; a timer calls `notify RUN`).

Messages go into the store's outbox first (one per plan version, driver and channel), then each
pending one is sent and recorded; a failure is retried with doubling backoff, up to MAX_ATTEMPTS.
After a repair is locked, only drivers whose week differs from the parent plan's get a message.
A driver without contact data (or not on the roster) is reported, never fatal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from app.i18n import N_, _
from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.notify.channels import Channel, SendError
from app.ops.policy import PLANNERS, refuse_unless, role_check
from app.ops.session import Session
from engine.driver_message import render, tours_of, week_digest
from storage.models import DriverRecord, RunDetail
from storage.outbox import UNSENT, OutboxMessage, message_key

NOTIFIABLE = frozenset({"LOCKED"})
LOCKED_STATES = frozenset({"LOCKED", "SUPERSEDED"})


class NotifyReport(BaseModel):
    run_id: int
    queued: int
    sent: list[str]
    pending: list[str]
    failed: list[str]
    no_contact: list[str]
    unchanged: int  # drivers not told again: their week is the same as in the parent plan


def channel_of(driver: DriverRecord | None) -> tuple[str, str | None]:
    """(channel, address) from the roster's contact data; ("none", None) when there is none."""
    if driver is None:
        return "none", None
    preferred = driver.preferred_channel
    if preferred == "none":
        return "none", None
    if preferred in (None, "email") and driver.email:
        return "email", driver.email
    if preferred in (None, "sms", "webhook") and driver.phone:
        return "webhook", driver.phone
    if driver.email:
        return "email", driver.email
    return "none", None


def _changed_drivers(s: Session, detail: RunDetail) -> tuple[set[str], int] | None:
    """Drivers whose week differs from the locked parent's (None: no such parent, tell everyone)."""
    parent_id = detail.summary.parent_plan_id
    if parent_id is None:
        return None
    parent = s.store.plans.detail(s.scope, parent_id)
    if parent.summary.state not in LOCKED_STATES:
        return None
    ids = set(detail.assignments.values()) | set(parent.assignments.values())
    changed = {d for d in ids if week_digest(tours_of(d, detail.instances, detail.assignments))
               != week_digest(tours_of(d, parent.instances, parent.assignments))}
    return changed, len(ids) - len(changed)


def queue(s: Session, run_id: int) -> tuple[int, int]:
    """Put the plan's messages into the outbox (already queued ones stay as they are)."""
    refuse_unless(role_check(s.role, PLANNERS, N_("notify drivers")))
    detail = s.store.plans.detail(s.scope, run_id)
    run = detail.summary
    if run.state not in NOTIFIABLE:
        raise UserError(_("blocked: plan {run_id} is {state}; drivers are told a LOCKED plan").format(run_id=run_id, state=run.state), EXIT_BLOCKED)
    roster = {d.external_id: d for d in s.store.drivers.list_drivers(s.scope) if d.site == run.site}
    diff = _changed_drivers(s, detail)
    drivers = sorted(set(detail.assignments.values()) | (diff[0] if diff else set()))
    if diff is not None:
        drivers = [d for d in drivers if d in diff[0]]
    lock = next((r for r in reversed(detail.approvals) if r.action == "lock"), None)
    stamp = lock.at if lock else run.updated_at
    messages = []
    for driver in drivers:
        msg = render(driver_id=driver, site=run.site, anchor=run.week_anchor, plan_id=run.id, version=run.version,
                     tours=tours_of(driver, detail.instances, detail.assignments), stamp=stamp, changed=diff is not None)
        channel, address = channel_of(roster.get(driver))
        messages.append(OutboxMessage(
            key=message_key(run.tenant, run.site, run.id, driver, channel), tenant=run.tenant, site=run.site,
            plan_id=run.id, driver_id=driver, channel=channel, address=address, subject=msg.subject, body=msg.text,
            ics=msg.ics, state="PENDING" if channel != "none" else "NO_CONTACT",
            last_error=None if channel != "none" else (
                "not on the site's roster" if driver not in roster else "no contact data (email, phone) in the roster"),
        ))
    return s.store.outbox.enqueue(s.scope, messages), diff[1] if diff else 0


def deliver(s: Session, run_id: int, channels: dict[str, Channel], *, backoff: float,
            sleep: Callable[[float], None] = time.sleep) -> None:
    """Send every pending message; retry failures after backoff, 2×backoff, … up to the attempt limit."""
    while True:
        pending = [m for m in s.store.outbox.for_plan(s.scope, run_id) if m.state == "PENDING"]
        if not pending:
            return
        waits = []
        for m in pending:
            channel = channels.get(m.channel)
            if channel is None:
                raise UserError(_("no {channel} channel is configured (see README: notifications)").format(channel=m.channel), EXIT_FAILED)
            if m.next_attempt_at is not None and m.next_attempt_at > datetime.now(UTC):
                waits.append((m.next_attempt_at - datetime.now(UTC)).total_seconds())
                continue
            try:
                channel.send(m)
            except SendError as exc:
                delay = backoff * 2 ** m.attempts
                after = s.store.outbox.record_attempt(s.scope, m.key, error=str(exc),
                                                      next_attempt_at=(datetime.now(UTC) + timedelta(seconds=delay)).replace(tzinfo=None))
                if after.state == "PENDING":
                    waits.append(delay)
                continue
            s.store.outbox.record_attempt(s.scope, m.key, error=None, next_attempt_at=None)
        if waits:
            sleep(max(0.0, min(waits)))


def status(s: Session, run_id: int) -> list[OutboxMessage]:
    s.store.plans.get(s.scope, run_id)  # not found / not yours: one line
    return s.store.outbox.for_plan(s.scope, run_id)


def notify(s: Session, run_id: int, channels: dict[str, Channel], *, backoff: float) -> NotifyReport:
    queued, unchanged = queue(s, run_id)
    deliver(s, run_id, channels, backoff=backoff)
    by_state: dict[str, list[str]] = {"SENT": [], "PENDING": [], "FAILED": [], "NO_CONTACT": []}
    for m in s.store.outbox.for_plan(s.scope, run_id):
        by_state[m.state].append(m.driver_id)
    return NotifyReport(run_id=run_id, queued=queued, sent=by_state["SENT"], pending=by_state["PENDING"],
                        failed=by_state["FAILED"], no_contact=by_state["NO_CONTACT"], unchanged=unchanged)


def notify_due(s: Session, channels: dict[str, Channel], *, backoff: float) -> list[NotifyReport]:
    """The weekly send (the server's scheduler and `solvereign notify due`): every LOCKED plan of the
    coming week whose site's slot has passed and whose drivers are not all told yet."""
    from app.ops.jobs import notify_slots

    due = [run_id for slot in notify_slots(s.store, s.scope, s.clock.now()) for run_id in slot.due]
    return [notify(s, run_id, channels, backoff=backoff) for run_id in due]


def status_lines(s: Session, run_id: int) -> list[dict[str, Any]]:
    """`notify status RUN` as JSON: each driver's message without its body and calendar file."""
    return [m.model_dump(mode="json", exclude=set(UNSENT)) for m in status(s, run_id)]
