"""The runbook's handoff (§10): the shift's or the week's state from the store, as Markdown.

Active plans (the current version per site and week not yet over), pending approvals (AUDITED waits
for publish, PUBLISHED for lock), open alerts, and the key events (approval log, alerts raised) since
the last handoff of the same kind — each handoff is recorded, so "since the last" needs no memory.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel

from app.i18n import N_, _
from app.ops.alerts import visible_alerts
from app.ops.policy import HANDOFF_GIVERS, refuse_unless, role_check
from app.ops.session import Session
from app.reports import fmt_instant, fmt_when
from engine.clock import VIENNA
from storage.models import ApprovalRecord, RunSummary
from storage.repo_alerts import AlertRecord

ENDED = frozenset({"REJECTED", "SUPERSEDED"})
IN_FORCE = frozenset({"PUBLISHED", "LOCKED"})
ROUTINE = frozenset({"queue", "solve", "solved", "audit"})  # a solve's inner steps; its "audited" (or "fail") is the event
WAITING = {"AUDITED": N_("publish"), "PUBLISHED": N_("lock")}
BLANK = "_______________"


class Handoff(BaseModel):
    kind: str
    at: datetime
    given_by: str
    since: datetime | None  # None: no handoff before this one
    active: list[RunSummary]
    pending: list[RunSummary]
    alerts: list[AlertRecord]
    events: list[ApprovalRecord]
    raised: list[AlertRecord]  # alerts raised since


def _active(runs: list[RunSummary], today: date) -> list[RunSummary]:
    """Per site and week not yet over: the newest version, and the published or locked one in force when that is older
    (a re-solve of a locked week does not hide what drivers work by). Rejected and superseded versions are history."""
    weeks: dict[tuple[str, date], list[RunSummary]] = {}
    for run in runs:  # newest first
        if run.state not in ENDED and run.week_anchor + timedelta(days=7) > today:
            weeks.setdefault((run.site, run.week_anchor), []).append(run)
    shown: list[RunSummary] = []
    for key in sorted(weeks):
        newest, *older = weeks[key]
        in_force = next((r for r in older if r.state in IN_FORCE), None)
        shown += [newest, in_force] if in_force else [newest]
    return shown


def handoff(s: Session, kind: str, since: datetime | None = None) -> Handoff:
    """Gather the handoff and record it (the next one starts here). `since` overrides the last handoff."""
    refuse_unless(role_check(s.role, HANDOFF_GIVERS, N_("give a handoff")))
    last = s.store.alerts.last_handoff(s.scope, kind)
    since = since or (last.given_at if last else None)
    now = s.clock.now()
    active = _active(s.store.plans.list_runs(s.scope, limit=500), now.astimezone(VIENNA).date())
    events = [r for r in reversed(s.store.approvals.list_records(s.scope, limit=1000))
              if r.action not in ROUTINE and (since is None or r.at >= since)]
    raised = [a for a in visible_alerts(s, include_acked=True) if since is None or a.raised_at >= since]
    record = s.store.alerts.record_handoff(s.scope, kind, s.actor)
    return Handoff(kind=kind, at=record.given_at, given_by=s.display, since=since, active=active,
                   pending=[r for r in active if r.state in WAITING], alerts=visible_alerts(s), events=events,
                   raised=sorted(raised, key=lambda a: (a.raised_at, a.id)))


def _plan_line(r: RunSummary) -> str:
    return _("{site} {week}: run {id} v{version} {state} (coverage {assigned}/{total}, audits {passed}/{audits})").format(
        site=r.site, week=r.week_anchor, id=r.id, version=r.version, state=r.state, assigned=r.assigned_count,
        total=r.instance_count, passed=r.audits_passed, audits=r.audits_total)


def _alert_line(a: AlertRecord) -> str:
    state = _("open") if a.acked_at is None else _("acknowledged by {who}").format(who=a.acked_by)
    return _("#{id} {severity} {kind} ({site}): {message} [{state}]").format(
        id=a.id, severity=a.severity, kind=a.kind, site=a.site, message=a.message, state=state)


def _event_line(e: ApprovalRecord) -> str:
    return _("{when} {actor} {action} run {run} ({site}): {from_state} → {to_state}").format(
        when=fmt_when(e.at), actor=e.actor, action=e.action, run=e.plan_id, site=e.site, from_state=e.from_state or "-",
        to_state=e.to_state) + (f" — {e.reason}" if e.reason else "")


def _line(label: str, value: object) -> str:
    """"Label: value", a line of the template."""
    return f"{label}: {value}"


def _items(lines: list[str]) -> list[str]:
    return ["- " + line for line in lines] or ["- " + _("none")]


def render(h: Handoff) -> str:
    """The runbook's template (§10.1 shift, §10.2 week), filled from the store; names of the incoming person stay blank."""
    since = fmt_instant(h.since) if h.since else _("no earlier handoff")
    plans = _items([_plan_line(r) for r in h.active])
    pending = _items([_("run {id} ({site} {week}) {state}: waiting for {act}").format(
        id=r.id, site=r.site, week=r.week_anchor, state=r.state, act=_(WAITING[r.state])) for r in h.pending])
    alerts = _items([_alert_line(a) for a in h.alerts])
    events = _items([_event_line(e) for e in h.events] + [_("alert raised: {line}").format(line=_alert_line(a)) for a in h.raised])
    attention = _items([_alert_line(a) for a in h.alerts if a.severity in ("S0", "S1")]
                       + [_plan_line(r) for r in h.active if r.state == "FAILED"])
    if h.kind == "shift":
        out = ["## " + _("Ops Shift Handoff"), "", _line(_("Date"), fmt_instant(h.at)), _line(_("From"), h.given_by),
               _line(_("To"), BLANK), _line(_("Since"), since), "", "### " + _("Current Status"),
               "- " + _line(_("Active plans"), len(h.active)), *["  " + line for line in plans],
               "- " + _line(_("Open incidents"), len(h.alerts)), *["  " + line for line in alerts],
               "- " + _line(_("Pending approvals"), len(h.pending)), *["  " + line for line in pending], "",
               "### " + _("Key Events"), *events, "", "### " + _("Attention Items"), *attention, "",
               "### " + _("Handoff Confirmed"), _line(_("From"), h.given_by) + " " + _line(_("Time"), fmt_when(h.at)),
               _line(_("To"), BLANK) + " " + _line(_("Time"), "_____")]
    else:
        local = h.at.astimezone(VIENNA)
        week = local.isocalendar()
        monday = local.date() - timedelta(days=local.weekday())
        out = ["## " + _("Weekly Platform Handoff"), "", _line(_("Week"), f"{week.year}-W{week.week:02d} ({monday})"),
               _line(_("Outgoing"), h.given_by), _line(_("Incoming"), BLANK), _line(_("Since"), since), "",
               "### " + _("Plans This Week"), *plans, "", "### " + _("Incidents This Week"),
               *_items([_alert_line(a) for a in h.raised]), "", "### " + _("Open Alerts"), *alerts, "",
               "### " + _("Pending Approvals"), *pending, "", "### " + _("Key Events"), *events, "",
               "### " + _("Handoff Confirmed"), _line(_("Date"), fmt_instant(h.at))]
    return "\n".join(out) + "\n"
