"""Scheduled jobs: the weekly solve (runbook §3.1: Tuesday 08:00, forecasts INGESTED for the coming week)
and the weekly notification (Wednesday 08:00: every driver of a LOCKED plan of the coming week is told).

Idempotent by what the store holds, not by a memory of having fired: at or after the week's slot,
every PASS/WARN forecast of the coming week that has no run yet is due; once its run exists (even a
FAILED one: a person decides about a re-solve) it is not due again, so a restart never solves twice.
The slot is a tenant setting `weekly_solve_at` ("TUE 08:00", Europe/Vienna), default Tuesday 08:00.
The notification slot is per site, `notify_at:<site>` (else the tenant's `notify_at`), default
"WED 08:00"; a LOCKED plan is due while its outbox is empty or holds a message still to send, so a
restart sends nothing twice (and the outbox's one message per plan, driver and channel holds it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel

from app.errors import EXIT_FAILED, UserError
from app.ops.session import Session
from engine.clock import VIENNA, Clock
from engine.parsers.common import parse_time
from storage.models import UserRecord
from storage.scope import Scope
from storage.store import Store

SETTING = "weekly_solve_at"
DEFAULT_SLOT = "TUE 08:00"
NOTIFY_SETTING = "notify_at"
DEFAULT_NOTIFY_SLOT = "WED 08:00"
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
JOB_LOGIN = "scheduler"


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday
    at: time

    def of_week(self, monday: date) -> datetime:
        return datetime.combine(monday + timedelta(days=self.weekday), self.at, tzinfo=VIENNA)


def parse_slot(text: str, setting: str = SETTING) -> Slot:
    """"TUE 08:00" → Slot; ValueError naming the setting and the expected form otherwise."""
    try:
        day, hhmm = text.strip().upper().split()
        minutes, _ = parse_time(hhmm)
        if minutes is None:
            raise ValueError(hhmm)
        return Slot(DAYS.index(day), time(minutes // 60, minutes % 60))
    except ValueError:
        raise ValueError(f"{setting} {text!r} is not like 'TUE 08:00' (day MON..SUN, 24 h time)") from None


class DueSolve(BaseModel):
    tenant: str
    site: str
    forecast_id: int
    week: date
    slot: datetime


class NotifySlot(BaseModel):
    """One site's weekly notification: its slot this week and the coming week's LOCKED plans."""

    site: str
    slot: str
    this_week_at: datetime
    fired: bool
    due: list[int]  # LOCKED plans whose drivers are still to be told (once the slot has passed)
    told: list[int]  # LOCKED plans whose every message is sent, failed or without contact data


class JobsView(BaseModel):
    """`solvereign jobs`: the slot of this week, whether it has passed, and what it solves or solved."""

    tenant: str
    slot: str
    this_week_at: datetime
    fired: bool
    coming_week: date
    due: list[DueSolve]
    solved: list[int]  # runs of the coming week's forecasts
    notify: list[NotifySlot] = []


def slot_of(store: Store, scope: Scope) -> Slot:
    setting = store.settings.get(scope, SETTING)
    return parse_slot(str(setting.value)) if setting is not None else parse_slot(DEFAULT_SLOT)


def notify_slot_of(store: Store, scope: Scope, site: str) -> Slot:
    """The site's setting, else the tenant's, else Wednesday 08:00; a bad value is one line naming the setting."""
    for key in (f"{NOTIFY_SETTING}:{site}", NOTIFY_SETTING):
        setting = store.settings.get(scope, key)
        if setting is not None:
            try:
                return parse_slot(str(setting.value), key)
            except ValueError as exc:
                raise UserError(str(exc), EXIT_FAILED) from None
    return parse_slot(DEFAULT_NOTIFY_SLOT)


def _slot_text(slot: Slot) -> str:
    return f"{DAYS[slot.weekday]} {slot.at:%H:%M} Europe/Vienna"


def notify_slots(store: Store, scope: Scope, now: datetime) -> list[NotifySlot]:
    """Per site of the scope: the notification slot of this week, and which LOCKED plans of the
    coming week are due (slot passed, outbox empty or not done) or told."""
    monday = _week_of(now)
    coming = monday + timedelta(days=7)
    locked = [r for r in store.plans.list_runs(scope, week=coming, limit=500) if r.state == "LOCKED"]
    views = []
    for site in sorted(scope.sites):
        slot = notify_slot_of(store, scope, site)
        at = slot.of_week(monday)
        due, told = [], []
        for run in sorted((r for r in locked if r.site == site), key=lambda r: r.id):
            counts = store.outbox.counts(scope, run.id)
            (due if not counts or counts.get("PENDING") else told).append(run.id)
        views.append(NotifySlot(site=site, slot=_slot_text(slot), this_week_at=at, fired=now >= at,
                                due=due if now >= at else [], told=told))
    return views


def _week_of(now: datetime) -> date:
    local = now.astimezone(VIENNA).date()
    return local - timedelta(days=local.weekday())


def due_solves(store: Store, scope: Scope, now: datetime) -> list[DueSolve]:
    """Forecasts of the coming week without a run, once this week's slot has passed."""
    monday = _week_of(now)
    slot = slot_of(store, scope).of_week(monday)
    if now < slot:
        return []
    coming = monday + timedelta(days=7)
    solved = {r.forecast_id for r in store.plans.list_runs(scope, week=coming, limit=500)}
    forecasts = store.forecasts.list_forecasts(scope, limit=500)
    return [DueSolve(tenant=scope.tenant, site=f.site, forecast_id=f.id, week=coming, slot=slot)
            for f in sorted(forecasts, key=lambda f: f.id)
            if f.week_anchor == coming and f.status in ("PASS", "WARN") and f.id not in solved]


def job_session(store: Store, clock: Clock, scope: Scope) -> Session:
    """The scheduler acts as itself (recorded "scheduler"), a dispatcher of every site of the tenant."""
    user = UserRecord(login=JOB_LOGIN, tenant=scope.tenant, name="weekly solve", email="", role="dispatcher",
                      sites=tuple(sorted(scope.sites)))
    return Session(store=store, clock=clock, login=JOB_LOGIN, user=user)


def jobs_view(s: Session) -> JobsView:
    now = s.clock.now()
    monday = _week_of(now)
    slot = slot_of(s.store, s.scope)
    at = slot.of_week(monday)
    coming = monday + timedelta(days=7)
    return JobsView(
        tenant=s.user.tenant, slot=_slot_text(slot), this_week_at=at,
        fired=now >= at, coming_week=coming, due=due_solves(s.store, s.scope, now),
        solved=[r.id for r in s.store.plans.list_runs(s.scope, week=coming, limit=500)],
        notify=notify_slots(s.store, s.scope, now),
    )
