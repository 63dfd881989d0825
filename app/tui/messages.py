"""What the cockpit's workers tell the UI. A worker thread only posts one of these (posting is
thread-safe); the app or screen handles it with `@on`, on the UI thread. No worker touches a
widget, and none waits for the UI."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from app.ops.drills import DrillReport
    from app.ops.evidence import Written
    from app.ops.repair import RepairPreview
    from app.ops.versions import Base
    from engine.diff import PlanDiff
    from storage.models import DriverRecord
    from app.ops.runs import RunView
    from app.ops.status import StatusView
    from app.ops.jobs import JobsView
    from storage.models import ApprovalRecord, ChainReport


class RunsLoaded(Message):
    """The runs list and the status line (or why they could not be read)."""

    def __init__(self, read: Future[StatusView]) -> None:
        super().__init__()
        self.read = read


class JobsLoaded(Message):
    """Remote mode: the server's scheduled jobs, for the status line."""

    def __init__(self, view: JobsView) -> None:
        super().__init__()
        self.view = view


class RunLoaded(Message):
    """A run's review, to show now (`switch`: go to the Review section)."""

    def __init__(self, view: RunView, switch: bool) -> None:
        super().__init__()
        self.view = view
        self.switch = switch


class RunReadAhead(Message):
    """A run's review read while the cursor rested on it: kept for `enter`."""

    def __init__(self, view: RunView, at: float, gates: tuple) -> None:
        super().__init__()
        self.view = view
        self.at = at
        self.gates = gates


class HistoryLoaded(Message):
    def __init__(self, run_id: int, records: list[ApprovalRecord], chain: ChainReport) -> None:
        super().__init__()
        self.run_id = run_id
        self.records = records
        self.chain = chain


class DemoReady(Message):
    """The demo week is stored and solved: list it and open its run."""

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id


class WorkFailed(Message):
    """A refusal or store error of some background read or write: one line to show."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SolveProgress(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SolveFinished(Message):
    """`run_id` to open (None: failed or refused); `text` says how it ended."""

    def __init__(self, run_id: int | None, text: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.text = text


class ForecastsLoaded(Message):
    """The solve screen's stored forecasts, as table rows."""

    def __init__(self, rows: list[tuple[str, tuple[Any, ...]]]) -> None:
        super().__init__()
        self.rows = rows


class ForecastLinesLoaded(Message):
    """The forecasts screen's stored forecasts with their days, warnings and diffs."""

    def __init__(self, lines: list[Any]) -> None:
        super().__init__()
        self.lines = lines


class ImportChecked(Message):
    """The import screen's file validated (`outcome.forecast` set when it was also stored)."""

    def __init__(self, inputs: tuple[str, str, str], outcome: Any, stored: bool) -> None:
        super().__init__()
        self.inputs = inputs
        self.outcome = outcome
        self.stored = stored


class ActionDone(Message):
    """A write went through (publish, lock, reject, an edit): the operation's own words."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RosterLoaded(Message):
    """The driver roster of the user's sites (the roster screen)."""

    def __init__(self, drivers: list[DriverRecord]) -> None:
        super().__init__()
        self.drivers = drivers


class DrillsLoaded(Message):
    """The past drills next to the store (the drills screen)."""

    def __init__(self, reports: list[DrillReport]) -> None:
        super().__init__()
        self.reports = reports


class EvidenceWritten(Message):
    """The open run's evidence pack was written and recorded (E)."""

    def __init__(self, run_id: int, written: Written) -> None:
        super().__init__()
        self.run_id = run_id
        self.written = written


class PlanLoaded(Message):
    """The plan an edit starts from (the move dialog checks the rules on it as you type)."""

    def __init__(self, base: Base) -> None:
        super().__init__()
        self.base = base


class PinsChanged(Message):
    """Tours pinned (or unpinned) in the driver week."""

    def __init__(self, ids: list[str], pinned: bool) -> None:
        super().__init__()
        self.ids = ids
        self.pinned = pinned


class RepairShown(Message):
    """A repair previewed (`applied` None) or applied as a new run, with its diff against the run."""

    def __init__(self, preview: RepairPreview, applied: int | None, diff: PlanDiff | None, text: str) -> None:
        super().__init__()
        self.preview = preview
        self.applied = applied
        self.diff = diff
        self.text = text


class RepairUndone(Message):
    def __init__(self, run_id: int, state: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.state = state


class OutboxLoaded(Message):
    """The open run's notification outbox (storage.outbox.OutboxMessage), one per driver and channel."""

    def __init__(self, messages: list[Any]) -> None:
        super().__init__()
        self.messages = messages
