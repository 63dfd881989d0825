"""The site's driver roster: import a file, list, show, remove; and the drivers a solve plans with.

A roster file is all or nothing: any problem rejects it with every problem listed and
nothing stored (exit 2). An import adds new ids and replaces known ones; drivers the
file does not name stay (remove them one by one, with a reason).
"""

from __future__ import annotations

from pydantic import BaseModel

from app.i18n import N_
from app.errors import EXIT_BLOCKED, UserError
from app.ops.forecasts import pick_site
from app.ops.policy import PLANNERS, reason_check, refuse_unless, role_check
from app.ops.session import Session
from engine.models import CanonicalForecast, DriverSpec
from engine.roster import RosterError, RosterProblem, merge_drivers, parse_roster
from storage.models import DriverRecord
from storage.repo_drivers import as_spec

ROSTER_EDITORS = PLANNERS  # dispatcher, ops_lead, platform_admin


class RosterRejected(UserError):
    """A roster file that stores nothing; `problems` has every located problem."""

    def __init__(self, problems: list[RosterProblem]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"nothing stored: {problems[0]}{more}", EXIT_BLOCKED)
        self.problems = problems


class RosterImport(BaseModel):
    site: str
    added: list[str]
    updated: list[str]
    unchanged: list[str]

    @property
    def stored(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)


def import_drivers(s: Session, site: str | None, data: bytes) -> RosterImport:
    """Validate the whole file, then write every driver in one transaction."""
    refuse_unless(role_check(s.role, ROSTER_EDITORS, N_("import drivers")))
    where = pick_site(s, site)
    try:
        specs = parse_roster(data)
    except RosterError as exc:
        raise RosterRejected(exc.problems) from None
    known = {r.external_id: as_spec(r) for r in s.store.drivers.list_drivers(s.scope, where)}
    s.store.drivers.upsert_many(s.scope, where, specs, s.actor)
    return RosterImport(
        site=where,
        added=[d.external_id for d in specs if d.external_id not in known],
        updated=[d.external_id for d in specs if d.external_id in known and known[d.external_id] != d],
        unchanged=[d.external_id for d in specs if known.get(d.external_id) == d],
    )


def list_drivers(s: Session, *, site: str | None = None) -> list[DriverRecord]:
    """The roster of one site, or of every site the user sees."""
    return s.store.drivers.list_drivers(s.scope, site)


def show_driver(s: Session, external_id: str, *, site: str | None = None) -> DriverRecord:
    return s.store.drivers.get(s.scope, pick_site(s, site), external_id)


def remove_driver(s: Session, external_id: str, *, site: str, reason: str) -> DriverRecord:
    """Remove one driver; the reason is logged with the removal."""
    refuse_unless(role_check(s.role, ROSTER_EDITORS, N_("remove drivers")), reason_check(reason))
    return s.store.drivers.remove(s.scope, site, external_id, s.actor, reason.strip())


def drivers_for_solve(s: Session, forecast: CanonicalForecast) -> list[DriverSpec]:
    """The named drivers a solve of this forecast plans with: the site's roster, overridden per id by
    the forecast's own `drivers` (the forecast wins for its week)."""
    roster = [as_spec(r) for r in s.store.drivers.list_drivers(s.scope, forecast.site_code)]
    return merge_drivers(roster, forecast.drivers)
