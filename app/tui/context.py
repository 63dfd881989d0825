"""The cockpit's local backend: the store path, the clock, who is at the keyboard, and the few
operations the screens call (app/tui/backend.py names them; the remote backend answers the same)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.ops import runs as ops_runs
from app.ops.session import Session, open_session
from app.ops.status import StatusView, status
from app.tui.backend import RUNS_SHOWN
from engine.clock import Clock

if TYPE_CHECKING:
    from app.ops.drills import DrillReport
    from app.ops.evidence import Written
    from app.ops.forecast_view import ForecastLine
    from app.ops.forecasts import ImportOutcome
    from app.ops.jobs import JobsView
    from app.ops.repair import RepairPreview
    from app.ops.versions import Base
    from app.tui.backend import Solving
    from engine.diff import PlanDiff
    from storage.models import ApprovalRecord, ChainReport, DriverRecord, ForecastRecord, RunSummary
    from storage.outbox import OutboxMessage
    from storage.repo_alerts import AlertRecord

DECISIONS = {"publish": ops_runs.publish, "lock": ops_runs.lock, "reject": ops_runs.reject}


@dataclass(frozen=True)
class CockpitContext:
    db_path: Path
    clock: Clock
    login: str
    act_as: str | None = None
    read_only: bool = False
    remote: str | None = None  # local: no server

    def session(self) -> Session:
        """A fresh session (re-reads the user's role); holds no connection."""
        return open_session(self.db_path, self.clock, self.login, act_as=self.act_as, read_only=self.read_only)

    def overview(self) -> StatusView:
        """What the runs section and the status line show, in one read of the store."""
        return status(self.session(), latest=RUNS_SHOWN)

    def show_run(self, run_id: int) -> ops_runs.RunView:
        return ops_runs.show_run(self.session(), run_id)

    def decide(self, action: str, run_id: int, reason: str) -> str:
        return DECISIONS[action](self.session(), run_id, reason).message

    def history(self, run_id: int) -> tuple[list[ApprovalRecord], ChainReport]:
        s = self.session()
        return ops_runs.approvals(s, run_id), ops_runs.verify_log(s)

    def forecasts(self) -> list[ForecastRecord]:
        from app.ops.forecasts import list_forecasts  # the import contract loads here, not at start

        return list_forecasts(self.session())

    def forecast_lines(self) -> list[ForecastLine]:
        from app.ops.forecast_view import forecast_lines

        return forecast_lines(self.session())

    def solve(self, forecast_id: int, seed: int, time_limit: float, watch: Solving) -> tuple[RunSummary, list[int]]:
        from app.ops.solving import identical_runs, solve_forecast  # the solver (OR-Tools) loads here, not at start

        s = self.session()
        run, _stages = solve_forecast(s, forecast_id, seed=seed, time_limit=time_limit, progress=watch.progress,
                                      cancel=watch.cancel, on_state=watch.on_state)
        return run, identical_runs(s, run)

    def jobs(self) -> JobsView | None:
        return None  # no scheduler runs without a server

    def alerts(self) -> list[AlertRecord]:
        from app.ops.alerts import visible_alerts

        return visible_alerts(self.session())

    def ack_alert(self, alert_id: int, reason: str) -> AlertRecord:
        from app.ops.alerts import ack

        return ack(self.session(), alert_id, reason)

    def unavailable(self, action: str) -> str | None:
        return None

    def outbox(self, run_id: int) -> list[OutboxMessage]:
        from app.ops.notify import status  # on first use: it loads the calendar library

        return status(self.session(), run_id)

    def record_evidence(self, run_id: int) -> Written:
        from app.ops.evidence import export

        return export(self.session(), run_id, None)

    def past_drills(self) -> list[DrillReport]:
        from app.ops.drills import past_drills
        from storage.location import local_base

        return past_drills(local_base(self.db_path))

    def drivers(self) -> list[DriverRecord]:
        from app.ops.roster import list_drivers

        return list_drivers(self.session())

    def import_forecast(self, path: Path, *, store: bool, site: str | None, anchor: str | None,
                        default_site: str | None, default_anchor: str | None) -> ImportOutcome:
        from app.ops.forecasts import import_forecast, preview_import  # the parsers load here

        given = {"site": site, "anchor": anchor, "default_site": default_site, "default_anchor": default_anchor}
        return (import_forecast if store else preview_import)(self.session(), path, **given)

    def repair(self, run_id: int, absent: list[str], *, kind: str, reason: str,
               apply: bool) -> tuple[RepairPreview, RunSummary | None, str | None]:
        from app.ops import repair as ops  # the repair engine loads here

        if not apply:
            return ops.preview_repair(self.session(), run_id, absent, reason=reason, kind=kind), None, None
        outcome = ops.apply_repair(self.session(), run_id, absent, reason=reason, kind=kind)
        return outcome.preview, outcome.run, outcome.message

    def undo(self, run_id: int) -> RunSummary:
        from app.ops.repair import undo

        return undo(self.session(), run_id)

    def diff_runs(self, a: int, b: int) -> PlanDiff:
        from app.ops.diff import diff_runs

        return diff_runs(self.session(), a, b)

    def pin(self, run_id: int, instance_id: str, *, pinned: bool) -> None:
        from app.ops.edit import pin

        pin(self.session(), run_id, instance_id, pinned=pinned)

    def edit_base(self, run_id: int) -> Base:
        from app.ops.versions import load_base

        return load_base(self.session(), run_id, what="an edit")

    def swap(self, run_id: int, driver_a: str, driver_b: str, day: int, reason: str) -> str:
        from app.ops.edit import edit

        return edit(self.session(), run_id, "swap", reason=reason, driver_a=driver_a, driver_b=driver_b, day=day).message
