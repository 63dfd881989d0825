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
    from app.ops.forecast_view import ForecastLine
    from app.ops.jobs import JobsView
    from app.ops.runs import RunView
    from app.ops.session import Session
    from app.remote.client import RemoteOps
    from engine.solver.progress import Heartbeat
    from storage.models import ApprovalRecord, ChainReport, ForecastRecord, RunSummary
    from storage.repo_alerts import AlertRecord

RUNS_SHOWN = 500  # the runs list's length
NOT_REMOTE = N_("not available in remote mode yet")
# the cockpit's keys whose endpoints the server does not have yet (or that act on a local file)
LOCAL_ONLY = frozenset({"import_forecast", "repair", "evidence", "drills", "roster", "demo", "edit", "outbox"})  # edit: p / m in a driver's week


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

    def overview(self) -> tuple[Session | None, StatusView]: ...  # the session: local mode only
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


class RemoteBackend:
    """The cockpit through a server: identity, clock and store are the server's."""

    def __init__(self, ops: RemoteOps, login: str, *, read_only: bool = False) -> None:
        self._ops = ops
        self.login = login
        self.read_only = read_only
        self.remote: str | None = ops.url
        self.clock: Clock = SystemClock()  # only names exported files; the server keeps the clock
        self.db_path: Path | None = None

    def overview(self) -> tuple[Session | None, StatusView]:
        view = self._ops.status()
        runs = self._ops.list_runs(limit=RUNS_SHOWN)
        return None, view.model_copy(update={"latest_runs": runs})

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
