"""The one seam between the cockpit and what answers it: the local store (app/tui/context.py,
`CockpitContext`) or a server (`RemoteBackend`, over app/remote/client.py). The screens call
these few methods and nothing else of app/ops, so `solvereign --api URL` opens the same cockpit.

The remote backend holds no logic of its own: every answer is the server's ops layer's, as the
same models; what the API does not offer yet is named by `unavailable`, and its key says so."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.i18n import N_, _
from app.ops.status import StatusView
from engine.clock import Clock, SystemClock

if TYPE_CHECKING:
    from app.ops.drills import DrillReport
    from app.ops.evidence import Written
    from app.ops.forecast_view import ForecastLine
    from app.ops.forecasts import ImportOutcome
    from app.ops.jobs import JobsView
    from app.ops.repair import RepairPreview
    from app.ops.runs import RunView
    from app.ops.versions import Base
    from app.remote.client import RemoteOps
    from engine.diff import PlanDiff
    from engine.solver.progress import Heartbeat
    from storage.models import ApprovalRecord, ChainReport, DriverRecord, ForecastRecord, RunSummary
    from storage.outbox import OutboxMessage
    from storage.repo_alerts import AlertRecord

RUNS_SHOWN = 500  # the runs list's length
NOT_REMOTE = N_("not available in remote mode yet")
# the cockpit's keys whose endpoints the server does not have yet (or that act on a local file)
LOCAL_ONLY = frozenset({"demo"})  # demo: builds a local store


@dataclass(frozen=True)
class Solving:
    """How a running solve reports back to the solve screen, and how it is cancelled."""

    on_state: Callable[[str], None]
    progress: Callable[[Heartbeat], None]
    cancel: threading.Event


class CockpitBackend(Protocol):
    @property
    def clock(self) -> Clock: ...
    @property
    def login(self) -> str: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def remote(self) -> str | None: ...  # the server's URL in remote mode

    def overview(self) -> StatusView: ...  # the status line and the runs list
    def show_run(self, run_id: int) -> RunView: ...
    def decide(self, action: str, run_id: int, reason: str) -> str: ...
    def history(self, run_id: int) -> tuple[list[ApprovalRecord], ChainReport]: ...
    def forecasts(self) -> list[ForecastRecord]: ...
    def forecast_lines(self) -> list[ForecastLine]: ...
    def solve(self, forecast_id: int, seed: int, time_limit: float, watch: Solving) -> tuple[RunSummary, list[int]]: ...
    def jobs(self) -> JobsView | None: ...  # the server's scheduled jobs (None: local, where no scheduler runs)
    def alerts(self) -> list[AlertRecord]: ...  # the open escalation alerts the user sees, worst first (the banner)
    def ack_alert(self, alert_id: int, reason: str) -> AlertRecord: ...
    def unavailable(self, action: str) -> str | None: ...  # why a key does not work in this mode (None: it does)
    def outbox(self, run_id: int) -> list[OutboxMessage]: ...  # N: the run's notification outbox
    def record_evidence(self, run_id: int) -> Written: ...  # E: the pack written into the site's folder (the store's side)
    def past_drills(self) -> list[DrillReport]: ...  # H
    def drivers(self) -> list[DriverRecord]: ...  # D: the roster of the user's sites
    def import_forecast(self, path: Path, *, store: bool, site: str | None, anchor: str | None,
                        default_site: str | None, default_anchor: str | None) -> ImportOutcome: ...  # i (the file is read here)
    def repair(self, run_id: int, absent: list[str], *, kind: str, reason: str,
               apply: bool) -> tuple[RepairPreview, RunSummary | None, str | None]: ...  # R: the new version and its message
    def undo(self, run_id: int) -> RunSummary: ...
    def diff_runs(self, a: int, b: int) -> PlanDiff: ...
    def pin(self, run_id: int, instance_id: str, *, pinned: bool) -> None: ...  # p in a driver's week (or unpin)
    def edit_base(self, run_id: int) -> Base: ...  # m: the plan its live rule check runs on (here, in the dialog)
    def swap(self, run_id: int, driver_a: str, driver_b: str, day: int, reason: str) -> str: ...  # m: the new version's message


class RemoteBackend:
    """The cockpit through a server: identity, clock and store are the server's."""

    def __init__(self, ops: RemoteOps, login: str, *, read_only: bool = False) -> None:
        self._ops = ops
        self.login = login
        self.read_only = read_only
        self.remote: str | None = ops.url
        self.clock: Clock = SystemClock()  # only names exported files; the server keeps the clock
        self.db_path: Path | None = None

    def overview(self) -> StatusView:
        view = self._ops.status()
        return view.model_copy(update={"latest_runs": self._ops.list_runs(limit=RUNS_SHOWN)})

    def show_run(self, run_id: int) -> RunView:
        return self._ops.show_run(run_id)

    def decide(self, action: str, run_id: int, reason: str) -> str:
        return self._ops.decide(action, run_id, reason).message

    def history(self, run_id: int) -> tuple[list[ApprovalRecord], ChainReport]:
        return self._ops.approvals(run_id), self._ops.verify_log()

    def forecasts(self) -> list[ForecastRecord]:
        return self._ops.list_forecasts(site=None, limit=50)

    def forecast_lines(self) -> list[ForecastLine]:
        return self._ops.forecast_lines()

    def solve(self, forecast_id: int, seed: int, time_limit: float, watch: Solving) -> tuple[RunSummary, list[int]]:
        return self._ops.solve(forecast_id, seed=seed, time_limit=time_limit, progress=watch.progress,
                               on_state=watch.on_state, cancel=watch.cancel)

    def jobs(self) -> JobsView | None:
        return self._ops.jobs()

    def alerts(self) -> list[AlertRecord]:
        return self._ops.alerts()

    def ack_alert(self, alert_id: int, reason: str) -> AlertRecord:
        return self._ops.ack_alert(alert_id, reason)

    def unavailable(self, action: str) -> str | None:
        return _(NOT_REMOTE) if action in LOCAL_ONLY else None

    def outbox(self, run_id: int) -> list[OutboxMessage]:
        return self._ops.outbox(run_id)

    def record_evidence(self, run_id: int) -> Written:
        from app.ops.evidence import Written

        path, sha256, size = self._ops.record_evidence(run_id)
        return Written(Path(path), sha256, size)

    def past_drills(self) -> list[DrillReport]:
        return self._ops.past_drills()

    def drivers(self) -> list[DriverRecord]:
        return self._ops.drivers(None)

    def import_forecast(self, path: Path, *, store: bool, site: str | None, anchor: str | None,
                        default_site: str | None, default_anchor: str | None) -> ImportOutcome:
        return self._ops.upload_forecast(path, store=store, site=site, anchor=anchor, default_site=default_site,
                                         default_anchor=default_anchor)

    def repair(self, run_id: int, absent: list[str], *, kind: str, reason: str,
               apply: bool) -> tuple[RepairPreview, RunSummary | None, str | None]:
        from app.ops.repair import DEFAULT_TIME_LIMIT

        return self._ops.repair(run_id, absent, reason=reason, kind=kind, start=None, end=None, override_freeze=False,
                                time_limit=DEFAULT_TIME_LIMIT, preview=not apply)

    def undo(self, run_id: int) -> RunSummary:
        return self._ops.undo(run_id, "")

    def diff_runs(self, a: int, b: int) -> PlanDiff:
        return self._ops.diff_runs(a, b)

    def pin(self, run_id: int, instance_id: str, *, pinned: bool) -> None:
        self._ops.pin(run_id, instance_id, reason="", pinned=pinned)

    def edit_base(self, run_id: int) -> Base:
        return self._ops.edit_base(run_id)

    def swap(self, run_id: int, driver_a: str, driver_b: str, day: int, reason: str) -> str:
        return self._ops.edit(run_id, changes_of="swap", driver_a=driver_a, driver_b=driver_b, day=day, reason=reason).message
