"""SQL ↔ model mapping for plan versions (shared by the plan repository and retention)."""

from __future__ import annotations

import json
from typing import Any

from engine.models import Instance
from storage.clock import from_db
from storage.db import Tx
from storage.errors import NotFound
from storage.models import AuditResult, RunSummary
from storage.scope import Scope

SUMMARY_COLUMNS = (
    "p.id, p.tenant_code, p.site_code, p.week_anchor, p.forecast_id, f.input_hash, f.status, p.version, "
    "p.parent_plan_id, p.kind, p.seed, p.solver_config_hash, p.state, p.state_version, p.output_hash, "
    "p.instance_count, p.assigned_count, p.driver_count, p.audits_passed, p.audits_total, p.kpis, "
    "p.error_text, p.created_by, p.created_at, p.updated_at, p.locked_at"
)
SUMMARY_FROM = "plans p JOIN forecasts f ON f.id = p.forecast_id"


def summary_from_row(r: tuple[Any, ...]) -> RunSummary:
    return RunSummary(
        id=r[0], tenant=r[1], site=r[2], week_anchor=r[3], forecast_id=r[4], input_hash=r[5],
        forecast_status=r[6], version=r[7], parent_plan_id=r[8], kind=r[9], seed=r[10],
        solver_config_hash=r[11], state=r[12], state_version=r[13], output_hash=r[14],
        instance_count=r[15], assigned_count=r[16], driver_count=r[17], audits_passed=r[18],
        audits_total=r[19], kpis=json.loads(r[20]), error_text=r[21], created_by=r[22],
        created_at=from_db(r[23]), updated_at=from_db(r[24]), locked_at=from_db(r[25]),
    )


def load_summary(tx: Tx, scope: Scope, plan_id: int) -> RunSummary:
    where, params = scope.where("p")
    row = tx.one(f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} WHERE p.id = ? AND {where}", [plan_id, *params])
    if row is None:
        raise NotFound(f"plan {plan_id} not found", kind="plan", key=plan_id)
    return summary_from_row(row)


def insert_instances(tx: Tx, plan_id: int, instances: list[Instance]) -> None:
    """One bulk insert of all rows (`Tx.insert_columns`)."""
    if not instances:
        return
    cols: list[list[Any]] = [[] for _ in range(11)]
    for i in instances:
        for col, value in zip(
            cols,
            (i.id, i.external_id, i.instance_no, i.day, i.start, i.end, [list(s) for s in i.segments],
             i.work_minutes, i.depot, i.skill, i.priority),
            strict=True,
        ):
            col.append(value)
    tx.insert_columns("plan_instances", plan_id, cols)


def insert_assignments(tx: Tx, plan_id: int, assignments: dict[str, str]) -> None:
    if not assignments:
        return
    keys = sorted(assignments)
    tx.insert_columns("plan_assignments", plan_id, [keys, [assignments[k] for k in keys]])


def load_instances(tx: Tx, plan_id: int) -> list[Instance]:
    rows = tx.all(
        "SELECT instance_id, external_id, instance_no, day, start_min, end_min, segments, depot, skill, priority "
        "FROM plan_instances WHERE plan_id = ? ORDER BY day, start_min, end_min, depot, skill, external_id, instance_no",
        [plan_id],
    )
    return [
        Instance(
            id=r[0], external_id=r[1], instance_no=r[2], day=r[3], start=r[4], end=r[5],
            segments=tuple((s[0], s[1]) for s in r[6]), depot=r[7], skill=r[8], priority=r[9],
        )
        for r in rows
    ]


def load_assignments(tx: Tx, plan_id: int) -> dict[str, str]:
    return dict(tx.all("SELECT instance_id, driver_id FROM plan_assignments WHERE plan_id = ? ORDER BY instance_id", [plan_id]))


def insert_audits(tx: Tx, plan_id: int, audits: list[AuditResult]) -> None:
    for position, audit in enumerate(audits):
        tx.execute(
            "INSERT INTO plan_audits VALUES (?, ?, ?, ?, ?, ?)",
            [plan_id, position, audit.name, audit.status, audit.violations, json.dumps(audit.rows)],
        )


def load_audits(tx: Tx, plan_id: int) -> list[AuditResult]:
    rows = tx.all("SELECT name, status, violations, rows FROM plan_audits WHERE plan_id = ? ORDER BY position", [plan_id])
    return [AuditResult(name=r[0], status=r[1], violations=r[2], rows=json.loads(r[3])) for r in rows]
