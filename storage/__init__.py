"""Persistence: DuckDB schema and migrations, scoped repositories, the plan lifecycle
enforced on write, the hash-chained approval log, and multi-process safety.

Never imports Textual or app/. Start at `Store` (storage/store.py) and storage/README.md.
"""

from storage.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PlanLocked,
    ReadOnlyStore,
    SchemaTooNew,
    SchemaTooOld,
    StaleVersion,
    StoreBusy,
    StoreError,
    StoreMissing,
)
from storage.lifecycle import Action, State
from storage.models import (
    ApprovalRecord,
    AuditResult,
    ChainReport,
    DriverRecord,
    ForecastAdded,
    ForecastContent,
    ForecastRecord,
    KillSwitch,
    NewForecast,
    NewPlan,
    PlanResult,
    PurgeReport,
    RetentionPolicy,
    RunDetail,
    RunSummary,
    SettingRecord,
    SiteRecord,
    TenantRecord,
    TransitionResult,
    UserRecord,
)
from storage.scope import Actor, Scope
from storage.store import Store

__all__ = [
    "Action", "Actor", "ApprovalRecord", "AuditResult", "ChainReport", "Conflict", "DriverRecord",
    "ForecastAdded", "ForecastContent", "ForecastRecord", "IllegalTransition", "InvalidInput", "KillSwitch",
    "NewForecast", "NewPlan", "NotFound", "PlanLocked", "PlanResult", "PurgeReport", "ReadOnlyStore",
    "RetentionPolicy", "RunDetail", "RunSummary", "SchemaTooNew", "SchemaTooOld", "Scope", "SettingRecord",
    "SiteRecord", "StaleVersion", "State", "Store", "StoreBusy", "StoreError", "StoreMissing", "TenantRecord",
    "TransitionResult", "UserRecord",
]
