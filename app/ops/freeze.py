"""The freeze window of a site as the use cases see it: the horizon setting and what is frozen now.

The horizon is a tenant setting per site (`freeze_horizon_min:<site>`, default 720), changed by a
platform admin with a reason and logged like every setting. Freeze is a gate: changing a frozen
instance needs an emergency override (role on_call or platform_admin, a reason, recorded).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from app.i18n import N_, _
from app.errors import EXIT_FAILED, UserError
from app.ops.policy import ADMINS, OVERRIDERS, Check, reason_check, refuse_unless, role_check
from app.ops.session import Session
from engine.freeze import DEFAULT_HORIZON_MIN, check_horizon, frozen_ids, next_freeze
from storage.models import RunDetail


def _key(site: str) -> str:
    return f"freeze_horizon_min:{site}"


def horizon(s: Session, site: str) -> int:
    record = s.store.settings.get(s.scope, _key(site))
    return int(record.value) if record is not None else DEFAULT_HORIZON_MIN


def set_horizon(s: Session, site: str, minutes: int, reason: str) -> int:
    refuse_unless(role_check(s.role, ADMINS, N_("set the freeze horizon")), reason_check(reason))
    if site not in s.scope.sites:
        raise UserError(_("site {site} not found").format(site=site), EXIT_FAILED)
    try:
        check_horizon(minutes)
    except ValueError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    s.store.settings.put(s.scope, _key(site), minutes, actor=s.actor, reason=reason.strip())
    return minutes


class FreezeView(BaseModel):
    """What is frozen in a plan now, and when the next instances freeze."""

    horizon_min: int
    now: datetime
    frozen: list[str]
    next_at: datetime | None
    next_ids: list[str]


def freeze_of(s: Session, detail: RunDetail) -> FreezeView:
    run = detail.summary
    minutes = horizon(s, run.site)
    now = s.clock.now()
    upcoming = next_freeze(run.week_anchor, detail.instances, now, minutes)
    return FreezeView(
        horizon_min=minutes, now=now, frozen=sorted(frozen_ids(run.week_anchor, detail.instances, now, minutes)),
        next_at=upcoming[0] if upcoming else None, next_ids=upcoming[1] if upcoming else [],
    )


def override_checks(s: Session, touched_frozen: list[str], reason: str) -> list[Check]:
    """The emergency override of SPEC §7 for the frozen instances an action would change."""
    return [role_check(s.role, OVERRIDERS, N_("override the freeze")), reason_check(reason)] if touched_frozen else []


def frozen_block(frozen: list[str]) -> Check:
    """Refuse a change of frozen instances without the override (exit 2)."""
    shown = ", ".join(frozen[:5]) + (f" and {len(frozen) - 5} more" if len(frozen) > 5 else "")
    return Check("not_frozen", not frozen, _("instance(s) {shown} are frozen (they start within the freeze horizon); an on_call or platform_admin user can override with --override-freeze and a reason").format(shown=shown))



class FrozenDays(BaseModel):
    """The plan's instance count and the days its frozen instances fall on: what `freeze RUN` prints."""

    instances: int
    days: list[int]


def frozen_days(detail: RunDetail, view: FreezeView) -> FrozenDays:
    by_id = {i.id: i for i in detail.instances}
    return FrozenDays(instances=len(detail.instances), days=sorted({by_id[i].day for i in view.frozen}))
