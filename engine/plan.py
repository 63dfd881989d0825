"""The plan file (the evidence pack's `solver_output.json`).

Times are written as HH:MM on each instance's own day so a person can read and
edit the file; reading turns them back into absolute minutes (an end before its
start, or a segment before the previous one, crosses midnight). The audits can
then judge any plan file, hand-edited or not. The writer is deterministic: same
result, same bytes (timings aside).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from engine.audits import AuditResult
from engine.bounds import LowerBound
from engine.kpis import Kpis
from engine.models import MINUTES_PER_DAY, CanonicalForecast, Instance, at_or_after, fmt_hhmm
from engine.parsers.common import parse_time
from engine.rules import RuleConfig

if TYPE_CHECKING:  # the solver pulls in OR-Tools (and pandas): keep plan files light to import
    from engine.solver.api import SolveResult

PLAN_FORMAT = "solvereign-plan/1"


class PlanFileError(ValueError):
    """A plan file that cannot be read; the message is one line for the user."""


class PlanInstance(BaseModel):
    id: str
    day: int = Field(ge=1, le=7)
    start: str
    end: str
    segments: list[list[str]] | None = None
    depot: str = "default"
    skill: str = "standard"


class PlanAssignment(BaseModel):
    instance_id: str
    driver_id: str


class PlanFile(BaseModel):
    format: str = PLAN_FORMAT
    tenant_code: str | None = None
    site_code: str | None = None
    week_anchor_date: str | None = None
    status: str | None = None
    seed: int | None = None
    input_hash: str | None = None
    output_hash: str | None = None
    solver_config_hash: str | None = None
    rule_config: RuleConfig = Field(default_factory=RuleConfig)
    kpis: Kpis | None = None
    lower_bound: LowerBound | None = None
    gap: float | None = None
    audits: list[AuditResult] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    infeasible: list[dict[str, str]] = Field(default_factory=list)
    instances: list[PlanInstance]
    assignments: list[PlanAssignment]

    def to_instances(self) -> list[Instance]:
        """Absolute-minute instances, as the audits need them."""
        return [_instance(p) for p in self.instances]

    def assignment_pairs(self) -> list[tuple[str, str]]:
        """As written, duplicates included, so the coverage audit can see them."""
        return [(a.instance_id, a.driver_id) for a in self.assignments]


def _plan_instance(inst: Instance) -> PlanInstance:
    base = (inst.day - 1) * MINUTES_PER_DAY
    segs = [[fmt_hhmm(s - base), fmt_hhmm(e - base)] for s, e in inst.segments] if inst.is_split else None
    return PlanInstance(id=inst.id, day=inst.day, start=fmt_hhmm(inst.start - base), end=fmt_hhmm(inst.end - base), segments=segs, depot=inst.depot, skill=inst.skill)


def _minutes(text: str, where: str) -> int:
    minutes, error = parse_time(text)
    if minutes is None:
        raise PlanFileError(f"{where}: {text!r} is not a time HH:MM ({error})")
    return minutes


def _instance(p: PlanInstance) -> Instance:
    base = (p.day - 1) * MINUTES_PER_DAY
    where = f"instance {p.id}"
    pairs = p.segments or [[p.start, p.end]]
    segments: list[tuple[int, int]] = []
    cursor = base + _minutes(p.start, where)
    for pair in pairs:
        if len(pair) != 2:
            raise PlanFileError(f"{where}: a segment needs a start and an end")
        s = at_or_after(cursor, _minutes(pair[0], where))
        e = at_or_after(s, _minutes(pair[1], where))
        segments.append((s, e))
        cursor = e
    if p.segments and (_minutes(p.segments[0][0], where) != _minutes(p.start, where) or _minutes(p.segments[-1][1], where) != _minutes(p.end, where)):
        raise PlanFileError(f"{where}: start/end do not match its segments")
    start, end = segments[0][0], segments[-1][1]
    return Instance(id=p.id, external_id=p.id, instance_no=1, day=p.day, start=start, end=end, segments=tuple(segments), depot=p.depot, skill=p.skill)


def plan_from_result(forecast: CanonicalForecast, result: SolveResult, config: RuleConfig) -> PlanFile:
    return PlanFile(
        tenant_code=forecast.tenant_code,
        site_code=forecast.site_code,
        week_anchor_date=forecast.week_anchor_date.isoformat(),
        status=result.status,
        seed=result.seed,
        input_hash=result.input_hash,
        output_hash=result.output_hash,
        solver_config_hash=result.solver_config_hash,
        rule_config=config,
        kpis=result.kpis,
        lower_bound=result.lower_bound,
        gap=result.gap,
        audits=result.audits,
        timings=result.timings.model_dump(),
        infeasible=[i.model_dump() for i in result.infeasible],
        instances=[_plan_instance(i) for i in sorted(forecast.instances, key=lambda i: (i.start, i.end, i.id))],
        assignments=[PlanAssignment(instance_id=i, driver_id=d) for i, d in sorted(result.assignments.items())],
    )


def dumps_plan(plan: PlanFile) -> str:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(plan.model_dump(mode="json"), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_plan(plan: PlanFile, path: Path) -> None:
    path.write_text(dumps_plan(plan), encoding="utf-8")


def read_plan(path: Path) -> PlanFile:
    """Parse and check a plan file; every problem is one `PlanFileError` line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PlanFileError(f"{path} is not UTF-8 text") from None
    return parse_plan(text, str(path))


def parse_plan(text: str, name: str = "plan") -> PlanFile:
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{name} is not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(doc, dict):
        raise PlanFileError(f"{name} must be a JSON object with instances and assignments")
    try:
        plan = PlanFile.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise PlanFileError(f"{name}: {loc}: {err['msg']}") from None
    dups = sorted(i for i, n in Counter(p.id for p in plan.instances).items() if n > 1)
    if dups:
        raise PlanFileError(f"{name}: instance id {dups[0]!r} appears more than once")
    plan.to_instances()  # time errors surface here, at read time
    return plan
