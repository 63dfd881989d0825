"""Who may do what, and the gates of publish, lock and reject (SPEC §6).

Each gate is a `Check` with a name (recorded as `conditions_met`) and the words
a refusal shows; the CLI refuses with the first unmet one, the cockpit shows
them to explain why an action is disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.errors import EXIT_BLOCKED, UserError
from app.i18n import N_, _, pgettext
from app.ops.session import people_of
from app.ops.text import hidden_characters, visible_length
from app.reports import fmt_instant
from storage.models import ApprovalRecord, KillSwitch, RunSummary, SiteRecord

MIN_REASON = 10
APPROVERS = frozenset({"dispatcher", "ops_lead", "platform_admin"})
SECOND_APPROVERS = frozenset({"ops_lead", "platform_admin"})
PLANNERS = frozenset({"dispatcher", "ops_lead", "platform_admin"})  # import, solve
REPAIRERS = frozenset({"dispatcher", "ops_lead", "on_call", "platform_admin"})  # repair, edit, pin, drills (SPEC §6)
ADMINS = frozenset({"platform_admin"})
OVERRIDERS = frozenset({"on_call", "platform_admin"})  # the emergency freeze override (SPEC §7)
HANDOFF_GIVERS = REPAIRERS  # who works a shift hands it over (runbook §10)
# who acknowledges an escalation alert, by severity (runbook §9.1: S2 on-call, S1 the lead, S0 security)
ALERT_ACKERS: dict[str, frozenset[str]] = {
    "S3": frozenset({"dispatcher", "on_call", "ops_lead", "platform_admin"}),
    "S2": frozenset({"on_call", "ops_lead", "platform_admin"}),
    "S1": frozenset({"ops_lead", "platform_admin"}),
    "S0": ADMINS,
}


def sees_alert(role: str, severity: str) -> bool:
    """S0 (a scope violation attempt) is shown only to who acknowledges it: it names what was asked for."""
    return severity != "S0" or role in ALERT_ACKERS["S0"]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    unmet: str  # shown as "blocked: <unmet>"


@dataclass(frozen=True)
class GateInput:
    """Everything a gate decision needs, read once."""

    run: RunSummary
    role: str
    kill_switch: KillSwitch
    site: SiteRecord
    now: datetime
    week_starts_at: datetime | None  # the week's first tour, as an instant
    has_warnings: bool


def first_unmet(checks: list[Check]) -> Check | None:
    return next((c for c in checks if not c.ok), None)


def refuse_unless(*checks: Check) -> None:
    """Refuse with the first unmet gate: one line, exit 2."""
    unmet = first_unmet(list(checks))
    if unmet is not None:
        raise UserError(_("blocked: {why}").format(why=unmet.unmet), EXIT_BLOCKED)


def role_check(role: str, allowed: frozenset[str], what: str) -> Check:
    """`what`: the act as a msgid (marked `N_` by the caller), also the check's name."""
    names = ", ".join(sorted(allowed))
    return Check(f"role_{what}", role in allowed, _("role {role} may not {what} (needs {roles})").format(role=role, what=_(what), roles=names))


MIN_REASON_LETTERS = 4  # different letters: "aaaaaaaaaa" or "1234567890" is not a reason


def reason_check(reason: str) -> Check:
    """At least MIN_REASON visible characters, words (MIN_REASON_LETTERS different letters), and no
    control or format characters (they forge log lines)."""
    hidden = hidden_characters(reason.strip())  # outer blanks (a trailing newline) are trimmed, as stored
    if hidden:
        found = ", ".join(sorted(set(hidden))[:3])
        return Check("reason_given", False, _("reason must not contain control or format characters (found {found})").format(found=found))
    n = visible_length(reason)
    if n < MIN_REASON:
        return Check("reason_given", False, _("reason must have at least {min} visible characters (has {n})").format(min=MIN_REASON, n=n))
    letters = len({c for c in reason.lower() if c.isalpha()})
    return Check("reason_given", letters >= MIN_REASON_LETTERS,
                 _("reason must be words (at least {min} different letters, has {n})").format(min=MIN_REASON_LETTERS, n=letters))


def _act(action: str) -> str:
    """The act as the subject of "… needs …" (German makes a noun of it: "Freigeben braucht …")."""
    return pgettext("the act a gate guards", "lock") if action == "lock" else pgettext("the act a gate guards", "publish")


def _common(g: GateInput, action: str, state: str) -> list[Check]:
    run = g.run
    act = _act(action)
    return [
        role_check(g.role, APPROVERS, action),
        Check(f"state_{state.lower()}", run.state == state,
              _("plan is {state}; {action} needs {needed}").format(state=run.state, action=act, needed=state)),
        Check("audits_pass", run.audits_total > 0 and run.audits_passed == run.audits_total,
              _("audits {passed}/{total} pass; {action} needs all").format(passed=run.audits_passed, total=run.audits_total, action=act)),
        Check("coverage_100", run.instance_count > 0 and run.assigned_count == run.instance_count,
              _("coverage {assigned}/{total}; {action} needs 100 %").format(
                  assigned=run.assigned_count, total=run.instance_count, action=act)),

        Check("kill_switch_off", not g.kill_switch.on,
              _("kill switch is on") + (f" ({g.kill_switch.reason})" if g.kill_switch.reason else "")),
        Check("site_enabled", g.site.enabled, _("site {site} is in shadow mode (not enabled for publish/lock)").format(site=g.site.code)),
    ]


def publish_checks(g: GateInput) -> list[Check]:
    return _common(g, N_("publish"), "AUDITED")


def lock_checks(g: GateInput) -> list[Check]:
    open_window = g.week_starts_at is None or g.now < g.week_starts_at
    when = fmt_instant(g.week_starts_at) if g.week_starts_at else "?"
    return [*_common(g, N_("lock"), "PUBLISHED"),
            Check("within_window", open_window, _("lock window closed: the week's first tour started at {when}").format(when=when))]


def reject_checks(g: GateInput) -> list[Check]:
    return [
        role_check(g.role, APPROVERS, N_("reject")),
        Check("state_rejectable", g.run.state in ("AUDITED", "PUBLISHED"),
              _("plan is {state}; reject needs AUDITED or PUBLISHED").format(state=g.run.state)),
    ]


def second_approval_check(role: str, people: frozenset[str], prior: list[ApprovalRecord]) -> Check:
    """A plan with warnings needs a second, different approver with role ops_lead (or platform_admin).

    `people` are everyone the caller stands for (the person and an `--as` target): an approval given
    through `--as` is the acting person's too, so nobody of the first approval can give the second."""
    first = next((r for r in prior if r.action == "approve"), None)
    if first is None:
        return Check("second_approver", False, "")
    same = sorted(people & people_of(first.actor))
    if same:
        return Check("second_approver", False, _("second approver must be a different user than {user}").format(user=same[0]))
    if role not in SECOND_APPROVERS:
        return Check("second_approver", False, _("second approval needs role ops_lead (you are {role})").format(role=role))

    return Check("second_approver", True, "")
