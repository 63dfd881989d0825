"""The seven audits of SPEC §4.1.

They read only instances and assignments (plus optional driver master data for
R10 and personal weekly maxima), never solver internals, so they can judge any
plan: the solver's, an older version's, or one a person edited by hand. The
rule logic itself lives in `engine.rules`; this module only groups a plan into
drivers, days and blocks and reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from engine import rules
from engine.models import DriverSpec, Instance
from engine.rules import DEFAULT_CONFIG, Piece, RuleConfig

AUDIT_NAMES = ("coverage", "overlap", "rest", "span_regular", "span_split", "fatigue", "weekly_max")


class AuditRow(BaseModel):
    """One offending (driver, day, instances) with measured value vs limit."""

    driver: str | None
    day: int | None
    instances: list[str]
    rule: str
    measured: int | float | None = None
    limit: int | float | None = None
    message: str


class AuditResult(BaseModel):
    name: str
    status: Literal["PASS", "FAIL"]
    violations: int
    rows: list[AuditRow] = Field(default_factory=list)

    @classmethod
    def of(cls, name: str, rows: list[AuditRow]) -> AuditResult:
        return cls(name=name, status="FAIL" if rows else "PASS", violations=len(rows), rows=rows)


@dataclass
class _Plan:
    """A plan grouped for judging: per driver, per start day, instances by start."""

    by_id: dict[str, Instance]
    coverage_rows: list[AuditRow] = field(default_factory=list)
    weeks: dict[str, dict[int, list[Instance]]] = field(default_factory=dict)


Assignments = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(assignments: Assignments) -> list[tuple[str, str]]:
    if isinstance(assignments, Mapping):
        return [(str(k), str(v)) for k, v in assignments.items()]
    return [(str(k), str(v)) for k, v in assignments]


def _group(instances: Sequence[Instance], assignments: Assignments) -> _Plan:
    plan = _Plan(by_id={i.id: i for i in instances})
    holders: dict[str, list[str]] = defaultdict(list)
    unknown: list[tuple[str, str]] = []
    for inst_id, driver in _pairs(assignments):
        if inst_id in plan.by_id:
            holders[inst_id].append(driver)
        else:
            unknown.append((inst_id, driver))
    weeks: dict[str, dict[int, list[Instance]]] = defaultdict(lambda: defaultdict(list))
    for inst in sorted(instances, key=lambda i: (i.start, i.end, i.id)):
        drivers = holders.get(inst.id, [])
        if not drivers:
            plan.coverage_rows.append(
                AuditRow(driver=None, day=inst.day, instances=[inst.id], rule="R1", measured=0, limit=1, message="instance is not assigned")
            )
            continue
        if len(drivers) > 1:
            plan.coverage_rows.append(
                AuditRow(
                    driver=",".join(sorted(drivers)),
                    day=inst.day,
                    instances=[inst.id],
                    rule="R1",
                    measured=len(drivers),
                    limit=1,
                    message=f"instance is assigned {len(drivers)} times",
                )
            )
        for d in sorted(set(drivers)):
            weeks[d][inst.day].append(inst)
    for inst_id, driver in sorted(unknown):
        plan.coverage_rows.append(
            AuditRow(driver=driver, day=None, instances=[inst_id], rule="R1", message="assignment names an unknown instance")
        )
    plan.weeks = {d: dict(sorted(days.items())) for d, days in sorted(weeks.items())}
    return plan


def _pieces(block: Sequence[Instance]) -> list[Piece]:
    return [Piece(i.start, i.end, i.is_split) for i in block]


def _audit_overlap(plan: _Plan) -> list[AuditRow]:
    rows: list[AuditRow] = []
    for driver, days in plan.weeks.items():
        seq = sorted((i for block in days.values() for i in block), key=lambda i: (i.start, i.end, i.id))
        reach: Instance | None = None  # the instance reaching furthest so far
        for inst in seq:
            if reach is not None and inst.start < reach.end:
                rows.append(
                    AuditRow(
                        driver=driver,
                        day=inst.day,
                        instances=[reach.id, inst.id],
                        rule="R2",
                        measured=reach.end - inst.start,
                        limit=0,
                        message=f"{inst.id} starts {reach.end - inst.start} min before {reach.id} ends",
                    )
                )
            if reach is None or inst.end > reach.end:
                reach = inst
    return rows


def _audit_rest(plan: _Plan, cfg: RuleConfig) -> list[AuditRow]:
    rows: list[AuditRow] = []
    for driver, days in plan.weeks.items():
        ordered = list(days.items())
        for (d1, b1), (d2, b2) in zip(ordered, ordered[1:], strict=False):
            last = max(b1, key=lambda i: (i.end, i.id))
            first = min(b2, key=lambda i: (i.start, i.id))
            rest = rules.rest_minutes(last.end, first.start)
            if 0 <= rest < cfg.rest_min:  # a negative rest is an overlap, reported there
                rows.append(
                    AuditRow(
                        driver=driver,
                        day=d2,
                        instances=[last.id, first.id],
                        rule="R6",
                        measured=rest,
                        limit=cfg.rest_min,
                        message=f"rest of {rest} min between day {d1} and day {d2} (min {cfg.rest_min})",
                    )
                )
    return rows


def _audit_spans(plan: _Plan, cfg: RuleConfig, want_split: bool) -> list[AuditRow]:
    rows: list[AuditRow] = []
    for driver, days in plan.weeks.items():
        for day, block in days.items():
            verdict = rules.check_block(_pieces(block), cfg)
            if verdict.is_split != want_split:
                continue
            ids = [i.id for i in sorted(block, key=lambda i: (i.start, i.id))]
            for b in verdict.breaches:
                rows.append(AuditRow(driver=driver, day=day, instances=ids, rule=b.rule, measured=b.measured, limit=b.limit, message=b.message))
    return rows


def _audit_fatigue(plan: _Plan) -> list[AuditRow]:
    rows: list[AuditRow] = []
    for driver, days in plan.weeks.items():
        for day, block in days.items():
            nxt = days.get(day + 1)
            if nxt is not None and rules.fatigue_clash(len(block), len(nxt)):
                ids = [i.id for i in sorted([*block, *nxt], key=lambda i: (i.start, i.id))]
                rows.append(
                    AuditRow(driver=driver, day=day + 1, instances=ids, rule="R7", measured=2, limit=1, message=f"3-instance blocks on day {day} and day {day + 1}")
                )
    return rows


def _audit_weekly(plan: _Plan, cfg: RuleConfig, drivers: Mapping[str, DriverSpec]) -> list[AuditRow]:
    rows: list[AuditRow] = []
    for driver, days in plan.weeks.items():
        spec = drivers.get(driver)
        insts = [i for block in days.values() for i in block]
        ids = [i.id for i in sorted(insts, key=lambda i: (i.start, i.id))]
        work = sum(i.work_minutes for i in insts)
        limit = rules.weekly_limit_minutes(cfg, spec)
        if not rules.weekly_ok(work, limit):
            rows.append(
                AuditRow(driver=driver, day=None, instances=ids, rule="R8", measured=work, limit=limit, message=f"{work / 60:g} h of work exceeds {limit / 60:g} h")
            )
        if not rules.working_days_ok(len(days), cfg):
            rows.append(
                AuditRow(driver=driver, day=None, instances=ids, rule="R9", measured=len(days), limit=cfg.max_working_days, message=f"{len(days)} working days (max {cfg.max_working_days})")
            )
        if spec is None:
            continue
        for inst in sorted(insts, key=lambda i: (i.start, i.id)):
            for b in rules.availability_breaches(spec, inst.day, inst.skill):
                rows.append(AuditRow(driver=driver, day=inst.day, instances=[inst.id], rule=b.rule, message=b.message))
    return rows


def run_audits(
    instances: Sequence[Instance],
    assignments: Assignments,
    config: RuleConfig = DEFAULT_CONFIG,
    drivers: Sequence[DriverSpec] = (),
) -> list[AuditResult]:
    """All seven audits, in the order of SPEC §4.1."""
    plan = _group(instances, assignments)
    named = {d.external_id: d for d in drivers}
    return [
        AuditResult.of("coverage", plan.coverage_rows),
        AuditResult.of("overlap", _audit_overlap(plan)),
        AuditResult.of("rest", _audit_rest(plan, config)),
        AuditResult.of("span_regular", _audit_spans(plan, config, want_split=False)),
        AuditResult.of("span_split", _audit_spans(plan, config, want_split=True)),
        AuditResult.of("fatigue", _audit_fatigue(plan)),
        AuditResult.of("weekly_max", _audit_weekly(plan, config, named)),
    ]


def passed(results: Sequence[AuditResult]) -> int:
    """How many audits passed ("7/7")."""
    return sum(r.status == "PASS" for r in results)

