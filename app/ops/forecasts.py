"""Import a forecast file into the store: validate first, store only PASS/WARN."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel

from app.i18n import N_, _
from app.errors import EXIT_FAILED, UserError
from app.ops.policy import PLANNERS, refuse_unless, role_check
from app.ops.session import Session
from app.ops.tenancy import own_tenant
from app.reports import fmt_instant
from engine.contract import ValidationReport, failed_report
from engine.clock import instant_of
from engine.ingest import IngestResult, ingest
from storage.models import ForecastRecord, NewForecast


class ImportOutcome(BaseModel):
    report: ValidationReport
    forecast: ForecastRecord | None = None  # None for a FAIL: nothing stored
    created: bool = False
    warnings: list[str] = []  # said to the person importing; not gates of the contract
    file_week: str | None = None  # the week the file names itself (a preview says it)


def pick_site(s: Session, site: str | None) -> str:
    """The site a command acts on: the option, or the user's only site."""
    if site:
        return site
    if len(s.user.sites) == 1:
        return s.user.sites[0]
    raise UserError(_("--site is needed (one of: {sites})").format(sites=", ".join(s.user.sites)), EXIT_FAILED)


def _site_option(s: Session, site: str | None, default: str | None) -> tuple[str | None, str | None]:
    """(the --site option, the default site): a file that names its own site keeps it, so a user
    of two sites needs no --site for a contract that says where it belongs."""
    if site:
        return site, None
    return None, default or (s.user.sites[0] if len(s.user.sites) == 1 else None)


def started_warning(forecast_anchor: date, first_start: int | None, now: datetime) -> str | None:
    """A week whose first tour has begun: its started tours are frozen and the lock window is shut."""
    if first_start is None:
        return None
    begins = instant_of(forecast_anchor, first_start)
    if begins > now:
        return None
    return _("the week of {week} has already started (first tour {when})").format(week=forecast_anchor, when=fmt_instant(begins))


def _missing(report: ValidationReport, gate: str) -> bool:
    return any(row.code == "MISSING" for g in report.gates if g.id == gate for row in g.rows)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc), EXIT_FAILED) from None


def preview_import(
    s: Session, path: Path, *, fmt: str = "auto", site: str | None = None, anchor: date | str | None = None,
    default_site: str | None = None, default_anchor: date | str | None = None,
) -> ImportOutcome:
    """The validation report the import would give, and its warnings, without storing anything."""
    return preview_bytes(s, _read(path), fmt=fmt, site=site, anchor=anchor, default_site=default_site,
                         default_anchor=default_anchor)


def preview_bytes(
    s: Session, data: bytes, *, fmt: str = "auto", site: str | None = None, anchor: date | str | None = None,
    default_site: str | None = None, default_anchor: date | str | None = None,
) -> ImportOutcome:
    """`preview_import` of bytes handed over (the cockpit's upload in remote mode)."""
    result, warnings = _ingest(s, data, fmt, site, anchor, default_site, default_anchor)
    return ImportOutcome(report=result.report, warnings=warnings, file_week=result.own.get("week_anchor_date"))


def _ingest(
    s: Session, data: bytes, fmt: str, site: str | None, anchor: date | str | None,
    default_site: str | None, default_anchor: date | str | None,
) -> tuple[IngestResult, list[str]]:
    """The user's tenant is checked against the file; the site and week come from the file, an
    option or a default, in that order (an option contradicting the file is a FAIL)."""
    option, default = _site_option(s, site, default_site)
    result = ingest(data, fmt=fmt, tenant=s.user.tenant, site=option, anchor=anchor, default_site=default,
                    default_anchor=default_anchor)
    if option is None and default is None and _missing(result.report, "HG-002"):
        raise UserError(_("--site is needed: the file names no site (one of: {sites})").format(sites=", ".join(s.user.sites)), EXIT_FAILED)

    fc = result.forecast
    started = started_warning(fc.week_anchor_date, min((i.start for i in fc.instances), default=None),
                              s.clock.now()) if fc else None
    return result, [started] if started else []


def read_upload(path: Path) -> bytes | ImportOutcome:
    """The file's bytes; like `validate`, an unreadable file is a FAIL (exit 2), nothing stored."""
    try:
        return _read(path)
    except UserError as exc:
        return ImportOutcome(report=failed_report(exc.message))


def import_forecast(
    s: Session,
    path: Path,
    *,
    fmt: str = "auto",
    site: str | None = None,
    anchor: date | str | None = None,
    default_site: str | None = None,
    default_anchor: date | str | None = None,
    tenant: str | None = None,
) -> ImportOutcome:
    """Validate, then store a PASS/WARN forecast. `site`/`anchor` are options (they must not
    contradict the file); the defaults only fill what the file and the options leave open."""
    refuse_unless(role_check(s.role, PLANNERS, N_("import")))
    own_tenant(s, tenant)
    data = read_upload(path)
    if isinstance(data, ImportOutcome):
        return data
    return import_bytes(s, data, path.name, fmt=fmt, site=site, anchor=anchor, default_site=default_site, default_anchor=default_anchor)


def import_bytes(
    s: Session, data: bytes, source_name: str, *, fmt: str = "auto", site: str | None = None, anchor: date | str | None = None,
    default_site: str | None = None, default_anchor: date | str | None = None,
) -> ImportOutcome:
    """Import a forecast handed over as bytes (a file's, or the HTTP upload's); the same gates and report."""
    refuse_unless(role_check(s.role, PLANNERS, N_("import")))
    result, warnings = _ingest(s, data, fmt, site, anchor, default_site, default_anchor)
    if result.forecast is None:
        return ImportOutcome(report=result.report)
    added = s.store.forecasts.add(
        s.scope,
        NewForecast(
            forecast=result.forecast,
            source_format=result.fmt or fmt,
            raw_bytes=data,
            status=result.report.status,  # type: ignore[arg-type]
            findings=result.report.model_dump(mode="json"),
            source_name=source_name,
        ),
        s.actor,
    )
    return ImportOutcome(report=result.report, forecast=added.forecast, created=added.created,
                         warnings=warnings)


def list_forecasts(s: Session, *, site: str | None = None, limit: int = 50) -> list[ForecastRecord]:
    return s.store.forecasts.list_forecasts(s.scope, site=site, limit=limit)
