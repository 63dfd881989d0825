"""Solve a stored forecast in a worker: live progress, cancel, and open the run when done.

The worker posts SolveProgress / SolveFinished messages; esc cancels the worker, and the
worker's own cancelled event is the solver's cancel token, so the best legal plan so far is
kept and recorded."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.worker import Worker, get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.reports import heartbeat_line
from app.tui.backend import CockpitBackend, Solving
from app.tui.messages import ForecastsLoaded, SolveFinished, SolveProgress
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.table import RosterTable
from storage.errors import StoreError

if TYPE_CHECKING:
    from engine.solver.progress import Heartbeat


class SolveScreen(Screen[int | None]):
    """Dismisses with the new run id (to open it), or None."""

    BINDINGS = [Binding("escape", "back", N_("Back / cancel solve"), id="solve.back")]

    def __init__(self, backend: CockpitBackend, when) -> None:
        super().__init__()
        self._backend = backend
        self._when = when
        self._worker: Worker | None = None
        self.running = False
        self._done_run: int | None = None
        self._quit_when_done = False

    def compose(self) -> ComposeResult:
        with Vertical(id="solve"):
            yield Label(_("Solve a forecast"), classes="dialog-title")
            yield RosterTable(id="solve-forecasts")
            with Horizontal(classes="form-row"):
                yield Label(_("seed") + " ", classes="form-label")
                yield Input(value="94", id="solve-seed", type="integer")
                yield Label(" " + _("time limit s") + " ", classes="form-label")
                yield Input(value="60", id="solve-limit", type="number")
            yield Static(_("enter on a forecast starts the solve · esc back"), markup=False, id="solve-progress")
        yield CockpitFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="solve-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            rows = self._backend.forecasts()
        except (UserError, StoreError) as exc:  # a busy store, or a server that went away: said, the screen stays
            self.post_message(SolveFinished(None, f"✖ {said(exc)}"))
            return
        cells = [
            (str(f.id), (str(f.id), f.site, str(f.week_anchor), f.status, str(f.instance_count), f.source_name, self._when(f.created_at)))
            for f in rows
        ]
        self.post_message(ForecastsLoaded(cells))

    @on(ForecastsLoaded)
    def _show(self, message: ForecastsLoaded) -> None:
        table = self.query_one("#solve-forecasts", RosterTable)
        table.set_data(("id", N_("site"), N_("week"), N_("status"), N_("tours"), N_("file"), N_("stored")), message.rows)
        table.focus()
        if not message.rows:
            self._progress(_("no forecasts stored yet: press esc, then i to import one"))

    def _progress(self, text: str) -> None:
        self.query_one("#solve-progress", Static).update(text)

    @on(RosterTable.RowSelected, "#solve-forecasts")
    def _start(self, event: RosterTable.RowSelected) -> None:
        if self._done_run is not None:
            self.dismiss(self._done_run)
            return
        key = event.key
        if key is None or self.running:
            return
        try:
            seed = int(self.query_one("#solve-seed", Input).value or 94)
            limit = float(self.query_one("#solve-limit", Input).value or 60)
        except ValueError:
            self._progress(_("✖ seed must be a whole number and the time limit a number of seconds"))
            return
        self.running = True
        self._progress(_("starting solve of forecast {id} (seed {seed}, ≤ {limit} s)… esc cancels").format(
            id=key, seed=seed, limit=f"{limit:g}"))
        self._worker = self._solve(int(key), seed, limit)

    @work(thread=True, exclusive=True, group="solve", exit_on_error=False)
    def _solve(self, forecast_id: int, seed: int, limit: float) -> None:
        started = time.monotonic()
        state = ["QUEUED"]

        def on_state(s: str) -> None:
            state[0] = s
            self._post(SolveProgress(f"{s} · {time.monotonic() - started:.1f} s · " + _("esc cancels")))

        def progress(hb: Heartbeat) -> None:
            self._post(SolveProgress(f"{state[0]} · {heartbeat_line(hb)} / {limit:g} s · " + _("esc cancels")))


        cancel = get_current_worker().cancelled_event  # set by `Worker.cancel()`: esc, or quit
        try:
            run, twins = self._backend.solve(forecast_id, seed, limit, Solving(on_state, progress, cancel))
        except Exception as exc:  # a refusal or a failed run is shown, the cockpit stays up
            self._post(SolveFinished(None, f"✖ {said(exc)}"))
            return
        stopped = " " + _("(stopped: best plan so far)") if run.kpis.get("solver_status") == "STOPPED" else ""
        if twins:
            stopped += " — " + _("identical to run {ids} (same output_hash)").format(ids=", ".join(map(str, twins)))
        text = (
            _("run {id} {state}{stopped}: {drivers} drivers, {pt} PT, audits {passed}/{total} · enter opens it · esc back").format(
                id=run.id, state=run.state, stopped=stopped, drivers=run.kpis.get("drivers", "-"), pt=run.kpis.get("pt_drivers", "-"),
                passed=run.audits_passed, total=run.audits_total)
            if run.state != "FAILED" else _("run {id} FAILED: {error}").format(id=run.id, error=run.error_text)
        )
        self._post(SolveFinished(run.id if run.state != "FAILED" else None, text))

    def _post(self, message: SolveProgress | SolveFinished) -> None:
        """Hand progress to the UI, if there still is one: after a quit (ctrl+q) the solve runs
        on to its end and is recorded; nobody is left to tell."""
        if self.app.is_running:
            self.post_message(message)

    @on(SolveProgress)
    def _progressed(self, message: SolveProgress) -> None:
        cancelling = self._worker is not None and self._worker.is_cancelled
        if self.running and not cancelling:  # "cancelling…" and the verdict stay until replaced by the end
            self._progress(message.text)

    @on(SolveFinished)
    def _finished(self, message: SolveFinished) -> None:
        self.running = False
        self._worker = None
        self._done_run = message.run_id
        self._progress(message.text)
        if self._quit_when_done:
            self.app.exit()

    def cancel_and_quit(self) -> None:
        """Quit asked while solving: cancel, and quit once the best plan so far is stored."""
        self._quit_when_done = True
        self._cancel_worker()
        self._progress(_("cancelling… the cockpit quits once the best plan so far is stored"))

    def action_back(self) -> None:
        if self.running:
            self._cancel_worker()
            self._progress(_("cancelling… the best legal plan so far is kept"))

            return
        self.dismiss(self._done_run)

    def _cancel_worker(self) -> None:
        """The worker's cancelled event is the solver's cancel token; the worker runs on until
        the solver returns its best plan, which is then recorded."""
        if self._worker is not None:
            self._worker.cancel()
