"""Retention (SPEC §9): the tenant's policy and the purge, for platform admins.

The purge itself (what goes, tombstones, what a LOCKED plan keeps) is storage/retention.py; here
the tenant's policy is read from its settings and the role is checked, once.
"""

from __future__ import annotations

from app.i18n import N_, _
from app.errors import EXIT_FAILED, UserError
from app.ops.policy import ADMINS, reason_check, refuse_unless, role_check
from app.ops.session import Session
from storage.models import PurgeReport, RetentionPolicy, SettingRecord

SETTING = "retention"
MAX_DAYS = 36_600  # a century: beyond it a number is a typo


def policy(s: Session) -> RetentionPolicy:
    """The tenant's policy (settings key `retention`), else SPEC §9's 90 days / 1 year."""
    record = s.store.settings.get(s.scope, SETTING)
    return RetentionPolicy.model_validate(record.value) if record is not None else RetentionPolicy()


def set_policy(s: Session, data_days: int, log_days: int, reason: str) -> SettingRecord:
    refuse_unless(role_check(s.role, ADMINS, N_("set the retention policy")), reason_check(reason))
    for name, days in (("--data-days", data_days), ("--log-days", log_days)):
        if not 1 <= days <= MAX_DAYS:
            raise UserError(_("{name} {days} must be between 1 and {max_days}").format(name=name, days=days, max_days=MAX_DAYS), EXIT_FAILED)
    return s.store.settings.put(s.scope, SETTING, {"data_days": data_days, "log_days": log_days},
                                actor=s.actor, reason=reason.strip())


def purge(s: Session, *, dry_run: bool) -> PurgeReport:
    """`solvereign retention purge [--dry-run]`: the dry run lists exactly what the purge removes."""
    refuse_unless(role_check(s.role, ADMINS, N_("purge")))
    return s.store.retention.purge(s.scope, policy(s), dry_run=dry_run)
