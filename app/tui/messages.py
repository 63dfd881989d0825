"""What the cockpit's workers tell the UI. A worker thread only posts one of these (posting is
thread-safe); the app or screen handles it with `@on`, on the UI thread. No worker touches a
widget, and none waits for the UI."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from app.ops.runs import RunView
    from app.ops.session import Session
    from app.ops.status import StatusView
    from storage.models import ApprovalRecord, ChainReport


class RunsLoaded(Message):
    """The runs list and the status line (or why they could not be read)."""

    def __init__(self, read: Future[tuple[Session, StatusView]]) -> None:
        super().__init__()
        self.read = read


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


class ImportChecked(Message):
    """The import screen's file validated (`outcome.forecast` set when it was also stored)."""

    def __init__(self, inputs: tuple[str, str, str], outcome: Any, stored: bool) -> None:
        super().__init__()
        self.inputs = inputs
        self.outcome = outcome
        self.stored = stored


class ActionDone(Message):
    """Publish / lock / reject went through: the operation's own words."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
