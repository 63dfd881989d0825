"""KPIs of a plan (SPEC §4.2) with targets and alert bands as data.

A KPI in its alert band makes the plan "with warnings", which needs a second
approver at publish time (SPEC §6), so `has_warnings` is part of the result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from engine import rules
from engine.audits import AuditResult, passed
from engine.models import Instance, work_by_driver
from engine.rules import DEFAULT_CONFIG, Piece, RuleConfig

KpiStatus = Literal["OK", "ALERT"]


class KpiCheck(BaseModel):
    """One KPI judged against its target and alert band."""

    name: str
    value: float
    display: str
    target: str
    alert: str
    on_target: bool
    status: KpiStatus

    @property
    def symbol(self) -> str:
        return "✓" if self.status == "OK" else "✗"


class Kpis(BaseModel):
    coverage: float
    assigned: int
    instances: int
    drivers: int
    fte_drivers: int
    pt_drivers: int
    fte_ratio: float
    pt_ratio: float
    avg_hours: float
    min_hours: float
    max_hours: float
    total_hours: float
    block_mix: dict[str, int]
    split_blocks: int
    peak_concurrency: dict[str, int]
    audits_passed: int | None = None
    audits_total: int | None = None
    checks: list[KpiCheck] = Field(default_factory=list)

    @property
    def has_warnings(self) -> bool:
        """Any KPI in its alert band."""
        return any(c.status == "ALERT" for c in self.checks)


def peak_concurrency(instances: Iterable[Instance]) -> dict[str, int]:
    """Per start day, the largest number of that day's tours running at one moment."""
    events: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for inst in instances:
        for s, e in inst.segments:
            events[inst.day] += [(s, 1), (e, -1)]
    out: dict[str, int] = {}
    for day, evs in sorted(events.items()):
        cur = best = 0
        for _, delta in sorted(evs):  # ends sort before starts at the same minute
            cur += delta
            best = max(best, cur)
        out[str(day)] = best
    return out


def _check(name: str, value: float, display: str, target: str, alert: str, on_target: bool, in_alert: bool) -> KpiCheck:
    return KpiCheck(name=name, value=value, display=display, target=target, alert=alert, on_target=on_target, status="ALERT" if in_alert else "OK")


def compute_kpis(
    instances: Sequence[Instance],
    assignments: Mapping[str, str],
    config: RuleConfig = DEFAULT_CONFIG,
    audits: Sequence[AuditResult] | None = None,
) -> Kpis:
    """Every KPI of SPEC §4.2 from instances and a {instance_id: driver_id} map."""
    weeks = work_by_driver(instances, assignments)
    assigned = sum(1 for i in instances if i.id in assignments)
    total = len(instances)
    hours = sorted(sum(i.work_minutes for b in days.values() for i in b) / 60 for days in weeks.values())
    drivers = len(weeks)
    fte = sum(1 for h in hours if rules.is_fte(round(h * 60), config))
    pt = drivers - fte
    mix = {"1er": 0, "2er_regular": 0, "2er_split": 0, "3er": 0}
    split_blocks = 0
    for days in weeks.values():
        for block in days.values():
            verdict = rules.check_block([Piece(i.start, i.end, i.is_split) for i in block], config)
            mix[verdict.kind] += 1
            split_blocks += verdict.is_split
    coverage = assigned / total if total else 1.0
    fte_ratio = fte / drivers if drivers else 0.0
    pt_ratio = pt / drivers if drivers else 0.0
    cap_h = config.weekly_max_minutes / 60
    max_h = hours[-1] if hours else 0.0
    checks = [
        _check("coverage", coverage, f"{coverage:.1%}", "100 %", "< 100 %", coverage >= 1.0, coverage < 1.0),
        _check("drivers", drivers, str(drivers), "as few as possible", "—", True, False),
        _check("fte_ratio", fte_ratio, f"{fte_ratio:.1%}", "> 95 %", "< 90 %", fte_ratio > 0.95, drivers > 0 and fte_ratio < 0.90),
        _check("pt_ratio", pt_ratio, f"{pt_ratio:.1%}", "< 5 %", "> 10 %", pt_ratio < 0.05, pt_ratio > 0.10),
        _check("max_hours", max_h, f"{max_h:g} h", f"< {cap_h:g} h", f"≥ {cap_h:g} h", max_h < cap_h, max_h >= cap_h),
    ]
    audits_passed = audits_total = None
    if audits is not None:
        audits_passed, audits_total = passed(audits), len(audits)
        ok = audits_passed == audits_total
        checks.append(_check("audits", audits_passed, f"{audits_passed}/{audits_total}", f"{audits_total}/{audits_total}", "any FAIL", ok, not ok))
    return Kpis(
        coverage=coverage,
        assigned=assigned,
        instances=total,
        drivers=drivers,
        fte_drivers=fte,
        pt_drivers=pt,
        fte_ratio=fte_ratio,
        pt_ratio=pt_ratio,
        avg_hours=round(sum(hours) / drivers, 2) if drivers else 0.0,
        min_hours=hours[0] if hours else 0.0,
        max_hours=max_h,
        total_hours=sum(i.work_minutes for i in instances) / 60,
        block_mix=mix,
        split_blocks=split_blocks,
        peak_concurrency=peak_concurrency(instances),
        audits_passed=audits_passed,
        audits_total=audits_total,
        checks=checks,
    )
