"""Import a forecast file into the store: validate first, store only PASS/WARN."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel

from app.errors import EXIT_FAILED, UserError
from app.ops.policy import PLANNERS, refuse_unless, role_check
from app.ops.session import Session
from engine.contract import ValidationReport, failed_report
from engine.ingest import ingest
from storage.models import ForecastRecord, NewForecast


class ImportOutcome(BaseModel):
    report: ValidationReport
    forecast: ForecastRecord | None = None  # None for a FAIL: nothing stored
    created: bool = False


def pick_site(s: Session, site: str | None) -> str:
    """The site a command acts on: the option, or the user's only site."""
    if site:
        return site
    if len(s.user.sites) == 1:
        return s.user.sites[0]
    raise UserError(f"--site is needed (one of: {', '.join(s.user.sites)})", EXIT_FAILED)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}", EXIT_FAILED) from None


def preview_import(
    s: Session, path: Path, *, fmt: str = "auto", site: str | None = None, anchor: date | str | None = None
) -> ValidationReport:
    """The validation report the import would give, without storing anything."""
    return ingest(_read(path), fmt=fmt, tenant=s.user.tenant, site=pick_site(s, site), anchor=anchor).report


def import_forecast(
    s: Session,
    path: Path,
    *,
    fmt: str = "auto",
    site: str | None = None,
    anchor: date | str | None = None,
) -> ImportOutcome:
    refuse_unless(role_check(s.role, PLANNERS, "import"))
    try:
        data = _read(path)
    except UserError as exc:  # like `validate`: an unreadable file is a FAIL (exit 2), nothing stored
        return ImportOutcome(report=failed_report(exc.message))
    return import_bytes(s, data, path.name, fmt=fmt, site=site, anchor=anchor)


def import_bytes(
    s: Session, data: bytes, source_name: str, *, fmt: str = "auto", site: str | None = None, anchor: date | str | None = None
) -> ImportOutcome:
    """Import a forecast handed over as bytes (the HTTP upload); the same gates and report as a file."""
    refuse_unless(role_check(s.role, PLANNERS, "import"))
    result = ingest(data, fmt=fmt, tenant=s.user.tenant, site=pick_site(s, site), anchor=anchor)
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
    return ImportOutcome(report=result.report, forecast=added.forecast, created=added.created)


def list_forecasts(s: Session, *, site: str | None = None, limit: int = 50) -> list[ForecastRecord]:
    return s.store.forecasts.list_forecasts(s.scope, site=site, limit=limit)
