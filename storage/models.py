"""Pydantic models crossing the storage boundary: inputs the store accepts and records it returns.

Plans arrive as plain data (`PlanResult`) so storage never imports the solver.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.models import CanonicalForecast, Instance

Role = Literal["viewer", "dispatcher", "ops_lead", "on_call", "platform_admin", "dpo"]  # dpo: data protection officer (GDPR erasure)
ForecastStatus = Literal["PASS", "WARN"]
PlanKind = Literal["solve", "repair", "resolve", "edit"]

_FROZEN = ConfigDict(frozen=True)
_FROZEN_ANY = ConfigDict(frozen=True, arbitrary_types_allowed=True)


# --- tenancy -----------------------------------------------------------------


class TenantRecord(BaseModel):
    model_config = _FROZEN
    code: str
    name: str
    created_at: datetime


class SiteRecord(BaseModel):
    """`enabled` = publish/lock allowed; a disabled site runs in shadow mode (solve and review only)."""

    model_config = _FROZEN
    tenant: str
    code: str
    name: str
    enabled: bool
    updated_by: str
    updated_at: datetime
    reason: str = ""


class UserRecord(BaseModel):
    model_config = _FROZEN
    login: str
    tenant: str
    name: str
    email: str
    role: Role
    sites: tuple[str, ...]
    active: bool = True
    updated_by: str = ""
    updated_at: datetime | None = None


class SettingRecord(BaseModel):
    model_config = _FROZEN
    key: str
    value: Any
    set_by: str
    set_at: datetime
    reason: str
    real_at: datetime | None = None  # the real time, when `set_at` came from a clock override


class KillSwitch(BaseModel):
    """When on, publish and lock are refused (checked by the app); who/when/why are kept."""

    model_config = _FROZEN
    on: bool
    set_by: str | None = None
    set_at: datetime | None = None
    reason: str | None = None
    real_at: datetime | None = None  # the real time, when `set_at` came from a clock override


class DriverRecord(BaseModel):
    model_config = _FROZEN
    tenant: str
    site: str
    external_id: str
    name: str
    skills: tuple[str, ...]
    depot: str
    max_hours_week: float
    contract_type: str
    unavailable_days: tuple[int, ...]
    email: str | None = None
    phone: str | None = None
    preferred_channel: str | None = None
    updated_by: str
    updated_at: datetime


# --- forecasts ---------------------------------------------------------------


class NewForecast(BaseModel):
    """A validated forecast (PASS or WARN; FAIL is never stored) with its evidence."""

    model_config = _FROZEN_ANY
    forecast: CanonicalForecast
    source_format: str
    raw_bytes: bytes
    status: ForecastStatus
    findings: dict[str, Any] = Field(default_factory=dict)
    source_name: str = ""


class ForecastRecord(BaseModel):
    model_config = _FROZEN
    id: int
    tenant: str
    site: str
    week_anchor: date
    source_format: str
    source_name: str
    input_hash: str
    status: ForecastStatus
    findings: dict[str, Any]
    instance_count: int
    created_by: str
    created_at: datetime


class ForecastAdded(BaseModel):
    """Result of an idempotent insert: `created` is False when the same content was already stored."""

    model_config = _FROZEN
    forecast: ForecastRecord
    created: bool


class ForecastContent(BaseModel):
    """The bulky part of a forecast, loaded only when needed (evidence pack, re-solve)."""

    model_config = _FROZEN
    raw_bytes: bytes
    canonical_json: str
    redacted_by: tuple[int, ...] = ()  # GDPR erasures that pseudonymised a driver in it (storage/gdpr.py)

    def canonical(self) -> CanonicalForecast:
        return CanonicalForecast.from_canonical_dict(json.loads(self.canonical_json))


# --- plans -------------------------------------------------------------------


class NewPlan(BaseModel):
    """What a new plan version is made from; its state starts at QUEUED."""

    model_config = _FROZEN
    forecast_id: int
    kind: PlanKind = "solve"
    parent_plan_id: int | None = None
    seed: int = 94
    solver_config_hash: str = ""


class Pin(BaseModel):
    """An assignment that re-solves and repairs of its plan keep (SPEC §7, like a frozen one)."""

    model_config = _FROZEN
    plan_id: int
    instance_id: str
    driver_id: str
    pinned_by: str
    pinned_at: datetime
    reason: str


class VersionExtras(BaseModel):
    """What a repair or edit version carries besides its rows: pins copied from the parent and a freeze override."""

    model_config = _FROZEN
    pins: dict[str, str] = Field(default_factory=dict)  # instance → driver
    override_reason: str = ""
    overridden: tuple[str, ...] = ()  # frozen instances the version moves (needs override_reason)


class AuditResult(BaseModel):
    model_config = _FROZEN
    name: str
    status: Literal["PASS", "FAIL"]
    violations: int = 0
    rows: list[Any] = Field(default_factory=list)


class PlanResult(BaseModel):
    """A solver's output as plain data; `audits` may come later via `record_audits`."""

    model_config = _FROZEN_ANY
    instances: list[Instance]
    assignments: dict[str, str]
    output_hash: str
    kpis: dict[str, Any] = Field(default_factory=dict)
    lower_bound: dict[str, Any] = Field(default_factory=dict)
    timings: dict[str, Any] = Field(default_factory=dict)  # seconds, plus the solver's stages and stand-ins
    audits: list[AuditResult] | None = None


class RunSummary(BaseModel):
    """One plan version as a row of the runs list."""

    model_config = _FROZEN
    id: int
    tenant: str
    site: str
    week_anchor: date
    forecast_id: int
    input_hash: str
    forecast_status: ForecastStatus
    version: int
    parent_plan_id: int | None
    kind: PlanKind
    seed: int
    solver_config_hash: str
    state: str
    state_version: int
    output_hash: str | None
    instance_count: int
    assigned_count: int
    driver_count: int
    audits_passed: int
    audits_total: int
    kpis: dict[str, Any]
    error_text: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    locked_at: datetime | None


class ApprovalRecord(BaseModel):
    """One entry of the append-only, hash-chained log (one chain per tenant and site)."""

    model_config = _FROZEN
    seq: int
    tenant: str
    site: str
    plan_id: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    reason: str
    conditions_met: tuple[str, ...]
    at: datetime
    prev_hash: str
    hash: str
    # keyed records (schema v2) also prove the plan's content and the real time under a clock override
    instances_hash: str | None = None
    assignments_hash: str | None = None
    output_hash: str | None = None
    real_at: datetime | None = None
    clock_override: bool = False


class SolveLease(BaseModel):
    """Who solves a SOLVING run: the process, its host and its last heartbeat (real time, UTC)."""

    model_config = _FROZEN
    plan_id: int
    pid: int | None
    host: str | None
    heartbeat_at: datetime | None


class RunDetail(BaseModel):
    """Everything the review screen and the evidence pack need about one plan version."""

    model_config = _FROZEN_ANY
    summary: RunSummary
    forecast: ForecastRecord
    instances: list[Instance]
    assignments: dict[str, str]
    lower_bound: dict[str, Any]
    timings: dict[str, Any]
    audits: list[AuditResult]
    approvals: list[ApprovalRecord]


class TransitionResult(BaseModel):
    model_config = _FROZEN
    plan: RunSummary
    record: ApprovalRecord | None
    superseded: tuple[int, ...] = ()
    changed: bool = True


# --- approval chain ----------------------------------------------------------


class ChainProblem(BaseModel):
    model_config = _FROZEN
    seq: int
    problem: str


class PlanProblem(BaseModel):
    """A plan whose stored rows or state disagree with its newest approval record."""

    model_config = _FROZEN
    plan_id: int
    problem: str


class SiteChainReport(BaseModel):
    model_config = _FROZEN
    site: str
    records: int
    ok: bool
    first_broken: ChainProblem | None = None
    head: str | None = None  # "#12 hmac-sha256:…" (printed on lock, anchored in the heads file)
    plans_checked: int = 0
    plan_problems: list[PlanProblem] = Field(default_factory=list)


class ChainReport(BaseModel):
    model_config = _FROZEN
    tenant: str
    sites: list[SiteChainReport]

    @property
    def ok(self) -> bool:
        return all(s.ok and not s.plan_problems for s in self.sites)


# --- retention ---------------------------------------------------------------


class RetentionPolicy(BaseModel):
    """SPEC §9: inputs and solver outputs 90 days; approval log and locked plans 1 year."""

    model_config = _FROZEN
    data_days: int = 90
    log_days: int = 365


class PurgeReport(BaseModel):
    """What a purge removes (a dry run: would remove), exactly."""

    model_config = _FROZEN
    dry_run: bool
    plans: tuple[int, ...]
    forecasts: tuple[int, ...]
    approval_records: int
    kept_locked: tuple[int, ...]
    tombstoned: tuple[str, ...] = ()  # "site#seq" of every approval record that leaves a tombstone
    packs: tuple[str, ...] = ()  # evidence pack files removed with their rows
