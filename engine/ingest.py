"""File bytes → validation report and canonical forecast (SPEC §2, §2.2, §3).

The one entry point every front end uses: `ingest(data, fmt=..., tenant=..., ...)`.
It never raises for bad input; a file that cannot be read is a FAIL report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from engine.contract import TourTemplate, ValidationReport, check, failed_report
from engine.models import DAY_CODES, MINUTES_PER_DAY, CanonicalForecast, Instance, instance_sort_key
from engine.parsers.common import RawForecast, UnreadableInput, hhmm_token
from engine.parsers.contract_csv import parse_contract_csv
from engine.parsers.contract_json import parse_contract_json
from engine.parsers import FORMATS
from engine.parsers.detect import decode, detect_format
from engine.parsers.export_csv import parse_export_csv
from engine.parsers.text_lines import parse_text_lines
from engine.roster import RosterError, specs_from_rows

PARSERS = {
    "json": parse_contract_json,
    "csv": parse_contract_csv,
    "text": parse_text_lines,
    "export": parse_export_csv,
}


HEADER = ("tenant_code", "site_code", "week_anchor_date")


@dataclass(frozen=True)
class IngestResult:
    report: ValidationReport
    forecast: CanonicalForecast | None  # None when the report is FAIL
    fmt: str | None
    sources: dict[str, str] = field(default_factory=dict)  # header field → "file" / "option" / "default"
    own: dict[str, str] = field(default_factory=dict)  # header fields the file names itself, as written


def ingest(
    data: bytes,
    *,
    fmt: str = "auto",
    tenant: str | None = None,
    site: str | None = None,
    anchor: date | str | None = None,
    default_site: str | None = None,
    default_anchor: date | str | None = None,
    default_tenant: str | None = None,
) -> IngestResult:
    """Parse, validate and canonicalise one forecast file. `tenant`/`site`/`anchor` are options:
    they fill what the file lacks, and contradicting the file is a FAIL naming both values.
    The defaults only fill what neither the file nor an option gives."""
    if fmt != "auto" and fmt not in FORMATS:
        return IngestResult(failed_report(f"unknown format {fmt!r} (auto, {', '.join(FORMATS)})"), None, None)
    try:
        text = decode(data)
        shape = detect_format(text) if fmt == "auto" else fmt
        raw = PARSERS[shape](text)
    except UnreadableInput as exc:
        return IngestResult(failed_report(str(exc)), None, fmt if fmt != "auto" else None)
    except RecursionError:
        return IngestResult(failed_report("file is nested too deeply to read"), None, None)
    own = {name: str(getattr(raw, name)) for name in HEADER if getattr(raw, name) not in (None, "")}
    sources = dict.fromkeys(own, "file")
    conflicts = raw.apply_options(tenant, site, anchor)
    if conflicts:
        return IngestResult(failed_report("; ".join(conflicts)), None, raw.fmt, own=own)
    sources |= {name: "option" for name in HEADER if name not in sources and getattr(raw, name) not in (None, "")}
    raw.apply_options(default_tenant, default_site, default_anchor)
    sources |= {name: "default" for name in HEADER if name not in sources and getattr(raw, name) not in (None, "")}
    return replace(_judge(raw), sources=sources, own=own)


def _judge(raw: RawForecast) -> IngestResult:
    report, templates, anchor = check(raw)
    if report.status == "FAIL" or anchor is None:
        return IngestResult(report, None, raw.fmt)
    if raw.defaults_are_normal:
        templates = _derive_ids(templates)
    instances = expand(templates)
    not_object = next((n for n, d in enumerate(raw.drivers) if not isinstance(d, dict)), None)
    if not_object is not None:
        return IngestResult(failed_report(f"drivers list invalid: drivers[{not_object}] must be an object"), None, raw.fmt)
    try:
        drivers = specs_from_rows((f"drivers[{n}]", d) for n, d in enumerate(raw.drivers))
    except RosterError as exc:
        return IngestResult(failed_report(f"drivers list invalid: {exc}"), None, raw.fmt)
    forecast = CanonicalForecast(
        tenant_code=raw.tenant_code,
        site_code=raw.site_code,
        week_anchor_date=anchor,
        instances=instances,
        drivers=drivers,
    )
    report.input_hash = forecast.input_hash
    report.summary.templates = len(templates)
    report.summary.instances = len(instances)
    report.summary.total_hours = round(sum(i.work_minutes for i in instances) / 60, 2)
    per_day: dict[str, int] = defaultdict(int)
    for inst in instances:
        per_day[DAY_CODES[inst.day - 1]] += 1
    report.summary.per_day = {code: per_day[code] for code in DAY_CODES if per_day[code]}
    return IngestResult(report, forecast, raw.fmt)


def _derive_ids(templates: list[TourTemplate]) -> list[TourTemplate]:
    """Text/export lines carry no ids: derive `Mo-0445-0915` (and the depot if not default).

    Identical lines are one template with their counts summed, so the long and the
    wide export of the same week give the same instances.
    """
    merged: dict[tuple, TourTemplate] = {}
    for t in templates:
        key = (t.day, t.segments, t.depot, t.skill, t.priority)
        prior = merged.get(key)
        merged[key] = t if prior is None else TourTemplate(**{**_fields(prior), "count": prior.count + t.count})
    out = []
    for t in merged.values():
        times = "+".join(f"{hhmm_token(s % MINUTES_PER_DAY)}-{hhmm_token(e % MINUTES_PER_DAY)}" for s, e in t.segments)
        ext = f"{DAY_CODES[t.day - 1]}-{times}" + ("" if t.depot == "default" else f"-{t.depot}")
        out.append(TourTemplate(**{**_fields(t), "external_id": ext}))
    return out


def _fields(t: TourTemplate) -> dict:
    return {name: getattr(t, name) for name in TourTemplate.__slots__}


def expand(templates: list[TourTemplate]) -> list[Instance]:
    """Count n → instances 1..n with ids `<external_id>-<n>`, in absolute minutes (SPEC §3)."""
    instances = []
    for t in templates:
        base = (t.day - 1) * MINUTES_PER_DAY
        segments = tuple((base + s, base + e) for s, e in t.segments)
        for n in range(1, t.count + 1):
            instances.append(
                Instance(
                    id=f"{t.external_id}-{n}",
                    external_id=t.external_id,
                    instance_no=n,
                    day=t.day,
                    start=segments[0][0],
                    end=segments[-1][1],
                    segments=segments,
                    depot=t.depot,
                    skill=t.skill,
                    priority=t.priority,
                )
            )
    instances.sort(key=instance_sort_key)
    return instances
