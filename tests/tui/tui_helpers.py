"""Helpers of the cockpit tests: the app factory, waits on workers (never sleeps), key presses.

Every app is built with a fixed clock, no automatic refresh (unless a test asks for it), no
animations and no blinking cursor. `settle(pilot)` returns once no worker runs and the
messages they posted are handled; `until(pilot, condition)` polls for progress that arrives
while a worker still runs. (A module with its own name: `from conftest import …` would find
whichever conftest.py pytest imported last.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

import tui_world as world
from app.tui.app import CockpitApp
from app.tui.context import CockpitContext

# snapshot stores live at a constant path (the status bar shows it); a lock file keeps two
# test sessions on this machine from using the folder at the same time
SNAP_DIR = Path("/tmp/solvereign-tui-snapshots")  # not gettempdir(): TMPDIR would change the snapshots
SNAP_STORE = SNAP_DIR / "cockpit.duckdb"


def make_cockpit(db: Path, login: str = "dana", *, read_only: bool = False, refresh: float = 0,
                 theme: str | None = None, read_ahead: float | None = None) -> CockpitApp:
    """Reading ahead is off unless asked for: its timer would start a worker after `settle`."""
    ctx = CockpitContext(db_path=db, clock=world.clock(), login=login, read_only=read_only)
    app = CockpitApp(ctx, theme=theme, refresh_seconds=refresh, blink=False, read_ahead=read_ahead)
    app.animation_level = "none"
    return app


@asynccontextmanager
async def running(app: CockpitApp, size: tuple[int, int] = (120, 40)) -> AsyncIterator:
    """`app.run_test` that records workers ending in an error (the cockpit's workers do not
    exit the app on error) and fails the test on one; settles before handing over."""
    errors: list[str] = []

    def hook(message) -> None:
        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            errors.append(f"worker {message.worker.name!r} failed: {message.worker.error!r}")

    app.worker_errors = errors  # type: ignore[attr-defined]
    async with app.run_test(size=size, message_hook=hook) as pilot:
        await settle(pilot)
        yield pilot
    assert not errors, errors


def _busy(app) -> bool:
    """A worker still runs (a DirectoryTree's loader waits for folders to read as long as the
    tree lives: it is idle when its queue is empty)."""
    return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) and not _idle_loader(w) for w in app.workers)


def _idle_loader(worker: Worker) -> bool:
    queue = getattr(worker.node, "_load_queue", None)
    return worker.group == "_loader" and queue is not None and queue.empty() and not queue._unfinished_tasks


async def settle(pilot, timeout: float = 30.0) -> None:
    """Until no worker runs and their results are on screen (bounded)."""
    app = pilot.app

    async def quiet() -> None:
        while True:
            if _busy(app):
                try:
                    await app.workers.wait_for_complete()
                except (WorkerCancelled, WorkerFailed):
                    pass  # an exclusive worker replaced by a newer one; failures are caught by `running`
            await pilot.pause()  # the messages the workers posted are handled here
            if not _busy(app):
                return

    await asyncio.wait_for(quiet(), timeout)
    errors = getattr(app, "worker_errors", None)
    assert not errors, errors


async def until(pilot, condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    """Pause until `condition()` holds (for progress that arrives while a worker still runs)."""

    async def poll() -> None:
        while not condition():
            await pilot.pause(0.05)

    try:
        await asyncio.wait_for(poll(), timeout)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}") from None


async def press(pilot, *keys: str) -> None:
    """Press keys (Pilot waits until the screen has handled them), then settle."""
    await pilot.press(*keys)
    await settle(pilot)


def text_of(app: CockpitApp, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector).render())


def session(db: Path, login: str = "dana"):
    """An ops session on `db` (for setting up and checking state in-process)."""
    from app.ops.session import open_session

    return open_session(db, world.clock(), login)


async def open_run(pilot, run_id: int) -> None:
    """Runs section, cursor on `run_id`, enter: the review of that run."""
    app = pilot.app
    await press(pilot, "1")
    table = app.query_one("#runs-table")
    assert table.select_key(str(run_id)), f"run {run_id} not in the runs list"
    await press(pilot, "enter")
    assert app.section == "review" and app.run_view is not None and app.run_view.run.id == run_id


def shown_lines(widget) -> list[str]:
    """What a widget paints, line by line, as plain text."""
    from textual.geometry import Region

    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def tap(app, key: str) -> None:
    """Send one key without Pilot's wait for an idle process (which, while a solver thread
    keeps a core busy, waits its full second twice per key). Follow it with `until(...)`."""
    from textual import events

    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
