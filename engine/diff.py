"""What changed between two plan versions, or two forecast versions, of one site and week.

Plans: instances that moved (from → to), instances only in one version, drivers whose week
changed, drivers with work in only one version (stand-ins added / removed) and the deltas of the
numeric KPIs. Forecasts: days covered and tours added, removed or changed (same external id and
number, other times, depot or skill). Pure data in, data out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from engine.models import Instance, fmt_hhmm


class Move(BaseModel):
    instance_id: str
    from_driver: str | None
    to_driver: str | None


class PlanDiff(BaseModel):
    moved: list[Move]
    only_in_a: list[str]
    only_in_b: list[str]
    drivers_changed: list[str]
    standins_added: list[str]
    standins_removed: list[str]
    kpi_deltas: dict[str, float]
    churn: float  # moved instances (present in both) / instances of A

    @property
    def empty(self) -> bool:
        return not (self.moved or self.only_in_a or self.only_in_b)


KPI_FIELDS = ("coverage", "drivers", "fte_drivers", "pt_drivers", "fte_ratio", "pt_ratio",
              "avg_hours", "min_hours", "max_hours", "total_hours", "split_blocks", "audits_passed")


def diff_plans(
    instances_a: Sequence[Instance], assign_a: Mapping[str, str], kpis_a: Mapping[str, Any],
    instances_b: Sequence[Instance], assign_b: Mapping[str, str], kpis_b: Mapping[str, Any],
) -> PlanDiff:
    ids_a, ids_b = {i.id for i in instances_a}, {i.id for i in instances_b}
    order = {i.id: (i.start, i.id) for i in [*instances_a, *instances_b]}
    both = sorted(ids_a & ids_b, key=order.__getitem__)
    moved = [Move(instance_id=i, from_driver=assign_a.get(i), to_driver=assign_b.get(i))
             for i in both if assign_a.get(i) != assign_b.get(i)]
    week_a, week_b = _weeks(assign_a), _weeks(assign_b)
    changed = sorted(d for d in week_a.keys() | week_b.keys() if week_a.get(d) != week_b.get(d))
    deltas = {
        k: round(float(kpis_b[k]) - float(kpis_a[k]), 4)
        for k in KPI_FIELDS
        if isinstance(kpis_a.get(k), int | float) and isinstance(kpis_b.get(k), int | float)
    }
    return PlanDiff(
        moved=moved,
        only_in_a=sorted(ids_a - ids_b, key=order.__getitem__),
        only_in_b=sorted(ids_b - ids_a, key=order.__getitem__),
        drivers_changed=changed,
        standins_added=sorted(week_b.keys() - week_a.keys()),
        standins_removed=sorted(week_a.keys() - week_b.keys()),
        kpi_deltas=deltas,
        churn=round(len(moved) / len(ids_a), 4) if ids_a else 0.0,
    )


def _weeks(assignments: Mapping[str, str]) -> dict[str, frozenset[str]]:
    weeks: dict[str, set[str]] = {}
    for iid, driver in assignments.items():
        weeks.setdefault(driver, set()).add(iid)
    return {d: frozenset(s) for d, s in weeks.items()}


class TourChange(BaseModel):
    instance_id: str
    before: str
    after: str


class ForecastDiff(BaseModel):
    days_a: list[int]
    days_b: list[int]
    added: list[str]
    removed: list[str]
    changed: list[TourChange]


def days_covered(instances: Sequence[Instance]) -> list[int]:
    return sorted({i.day for i in instances})


def diff_forecasts(a: Sequence[Instance], b: Sequence[Instance]) -> ForecastDiff:
    by_a, by_b = {i.id: i for i in a}, {i.id: i for i in b}
    changed = [
        TourChange(instance_id=iid, before=_shape(by_a[iid]), after=_shape(by_b[iid]))
        for iid in sorted(by_a.keys() & by_b.keys())
        if _shape(by_a[iid]) != _shape(by_b[iid])
    ]
    return ForecastDiff(
        days_a=days_covered(a), days_b=days_covered(b),
        added=sorted(by_b.keys() - by_a.keys()), removed=sorted(by_a.keys() - by_b.keys()), changed=changed,
    )


def _shape(i: Instance) -> str:
    segs = " + ".join(f"{fmt_hhmm(s)}-{fmt_hhmm(e)}" for s, e in i.segments)
    return f"day {i.day} {segs} {i.depot}/{i.skill} p{i.priority}"
