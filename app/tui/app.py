"""The cockpit: review, publish and lock the week by keyboard, over SSH.

The app owns the state (session, open run); thread workers do every store read
and write and hand results back with `call_from_thread`. No connection is held
between operations, so other dispatchers and the CLI share the store freely.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Input, Static

from app.errors import UserError
from app.ops import runs as ops_runs
from app.ops.policy import PLANNERS
from app.ops.runs import RunView
from app.ops.session import Session
from app.ops.status import StatusView
from app.reports import fmt_when
from app.tui.commands import CockpitCommands
from app.tui.context import CockpitContext
from app.tui.dialogs.confirm import ConfirmDialog
from app.tui.dialogs.reason import ReasonDialog
from app.tui.keys import APP_BINDINGS
from app.tui.screens.driver_week import DriverWeekScreen
from app.tui.screens.drivers import DriversSection
from app.tui.screens.help import HelpScreen
from app.tui.screens.history import HistorySection
from app.tui.screens.review import JumpToDriver, ReviewSection
from app.tui.screens.runs import RunsSection, run_cells
from app.tui.screens.solve import SolveScreen
from app.tui.screens.tours import ToursSection
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.status_bar import Banners, SectionBar, StatusBar
from app.tui.widgets.table import RosterTable
from engine.clock import next_week_anchor
from storage.errors import StoreError

MIN_SIZE = (80, 24)
# the cockpit's own keys act on the main screen; a pushed screen or dialog owns the keyboard
MAIN_SCREEN_ONLY = {b.action.split("(")[0] for b in APP_BINDINGS} - {"quit_app", "help"}
SECTIONS = ("runs", "review", "drivers", "tours", "history")
RUN_ACTIONS = {"publish": ops_runs.publish, "lock": ops_runs.lock, "reject": ops_runs.reject}
SECTION_TABLES = {
    "runs": "#runs-table", "review": "#audits-table", "drivers": "#drivers-table",
    "tours": "#tours-table", "history": "#history-table",
}
READ_AHEAD_AFTER = 0.15  # seconds the cursor rests on a run before its review is read ahead
READ_AHEAD_TTL = 60.0  # a review read ahead is used for this long (if the run and the gates are unchanged)
TITLES = {"publish": "Publish the plan", "lock": "Lock the plan (final, immutable)", "reject": "Reject the plan"}


@dataclass(frozen=True)
class ReadAhead:
    """A run's review, read while the cursor rested on the run in the list."""

    view: RunView
    at: float  # time.monotonic() of the read
    gates: tuple  # the kill switch and site gates the cockpit knew of then


class MainScreen(Screen):
    """The cockpit's own screen. Opaque, so its background is painted as blank strips: Textual
    otherwise renders the screen's background through Rich, line by line, on every layout,
    which cost ~70 ms of each section switch at 120×40."""

    BLANK = True


class CockpitApp(App[None]):
    CSS_PATH = "styles/cockpit.tcss"
    TITLE = "solvereign"
    BINDINGS = APP_BINDINGS
    COMMANDS = App.COMMANDS | {CockpitCommands}

    def __init__(
        self, ctx: CockpitContext, *, theme: str | None = None, refresh_seconds: float = 3.0, blink: bool = True,
        first_read: Future[tuple[Session, StatusView]] | None = None, read_ahead: float | None = READ_AHEAD_AFTER,
    ) -> None:
        """`first_read`: `ctx.overview()` already started in the background (by the command that
        opens the cockpit, before Textual loads): the first runs list uses it. `read_ahead`:
        seconds the cursor rests on a run before its review is read ahead (None: never)."""
        super().__init__()
        self.ctx = ctx
        self._first_read = first_read
        self._read_ahead_after = read_ahead
        self._blink = blink  # False: no blinking cursor in inputs (deterministic snapshots)
        self._theme_name = theme
        self._refresh_seconds = refresh_seconds
        self.session: Session | None = None
        self.run_view: RunView | None = None
        self.section = "runs"
        self._too_small = False
        self._stale: set[str] = set()
        self._runs_seen: dict[int, int] = {}
        self._action_state: tuple | None = None
        self._gates: tuple = ()  # kill switch and site gates as last read
        self._ahead: ReadAhead | None = None
        self._ahead_timer: Timer | None = None

    # --- layout ---------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            yield StatusBar(" solvereign · loading…", markup=False, id="status-bar")
            yield Banners("", markup=False, id="banners")
            yield SectionBar("", id="section-bar")
            with ContentSwitcher(initial="runs", id="sections"):
                yield RunsSection(id="runs")
                yield ReviewSection(id="review")
                yield DriversSection(id="drivers")
                yield ToursSection(id="tours")
                yield HistorySection(id="history")
            yield Input(placeholder="filter: type to hide rows · esc clears", id="filter")
        yield Static("", markup=False, id="too-small")
        yield CockpitFooter()

    def on_mount(self) -> None:
        if self._theme_name:
            self.theme = self._theme_name
        self.query_one("#filter", Input).display = False
        self.query_one("#banners", Banners).display = False
        self._show_section_bar()
        self._check_size(self.size.width, self.size.height)
        first, self._first_read = self._first_read, None
        if first is not None and first.done():  # read while Textual loaded: in the very first frame
            self._apply_overview(first)
        else:
            self.load_runs(first)
        if self._refresh_seconds > 0:
            self.set_interval(self._refresh_seconds, self.load_runs)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if not self._blink and isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _show_section_bar(self) -> None:
        run = self.run_view.run if self.run_view else None
        detail = f"run {run.id} · {run.site} · {run.week_anchor} · {run.state}" if run else ""
        self.query_one(SectionBar).show_section(self.section, detail)

    def _check_size(self, width: int, height: int) -> None:
        self.screen.set_class(width < 110, "narrow")  # review stacks its two columns
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self._too_small = small  # the section keys do nothing behind the notice
        self.query_one("#main").display = not small
        notice = self.query_one("#too-small", Static)
        notice.display = small
        notice.update(f"Terminal too small: {width}×{height}.\nThe cockpit needs at least {MIN_SIZE[0]}×{MIN_SIZE[1]}.")
        self.refresh_bindings()

    # --- loading (workers) ----------------------------------------------------

    @work(thread=True, exclusive=True, group="runs", exit_on_error=False)
    def load_runs(self, read: Future[tuple[Session, StatusView]] | None = None) -> None:
        """Read the runs list and status line (or wait for a read already under way), then show them."""
        if read is None:
            read = Future()
            try:
                read.set_result(self.ctx.overview())
            except (UserError, StoreError) as exc:
                read.set_exception(exc)
        read.exception()  # waits here, in the worker thread
        self.call_from_thread(self._apply_overview, read)

    def _apply_overview(self, read: Future[tuple[Session, StatusView]]) -> None:
        try:
            s, view = read.result()
        except (UserError, StoreError) as exc:
            self._no_session(exc.message)
            return
        self._show_overview(s, view)

    def _no_session(self, message: str) -> None:
        self.session = None
        self.query_one(StatusBar).show_message(f"{self.ctx.db_path} · {self.ctx.login}")
        self.query_one(RunsSection).show_welcome(message)
        self._refresh_actions()

    def _show_overview(self, s: Session, view: StatusView) -> None:
        self.query_one(StatusBar).show_status(view)
        self.query_one(Banners).show_status(view)
        runs = view.latest_runs
        self.session = s
        self.query_one(RunsSection).show_runs([(str(r.id), run_cells(r, fmt_when(r.updated_at))) for r in runs])
        self._gates = (view.kill_switch.on, tuple((g.code, g.enabled) for g in view.site_gates))
        seen, self._runs_seen = self._runs_seen, {r.id: r.state_version for r in runs}
        open_run = self.run_view.run if self.run_view else None
        if open_run and self._runs_seen.get(open_run.id, open_run.state_version) != open_run.state_version:
            self.open_run(open_run.id, switch=False)
        if not seen:  # the first list: the cursor rests on its first run
            self._read_ahead(self.query_one("#runs-table", RosterTable).selected_key)
        self._refresh_actions()

    # --- opening a run (read ahead while the cursor rests on it) ---------------

    @on(RosterTable.RowHighlighted, "#runs-table")
    def _run_highlighted(self, event: RosterTable.RowHighlighted) -> None:
        self._read_ahead(event.key)

    def _read_ahead(self, key: str | None) -> None:
        """Read the review of the run under the cursor once the cursor rests there, so that
        `enter` shows it without waiting for the store (a tenth of a second for 1,400 tours)."""
        self._stop_read_ahead()
        if key and self._read_ahead_after is not None:
            self._ahead_timer = self.set_timer(self._read_ahead_after, partial(self._load_ahead, int(key)))

    def _stop_read_ahead(self) -> None:
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
            self._ahead_timer = None

    def open_run(self, run_id: int, switch: bool = True, *, ahead_ok: bool = False) -> None:
        """Show a run's review; `ahead_ok`: a review read ahead will do (when the user opens a
        run from the list; after an action or a change elsewhere the review is read anew)."""
        self._stop_read_ahead()
        ahead = self._ahead
        if (
            ahead_ok and ahead is not None and ahead.view.run.id == run_id
            and ahead.view.run.state_version == self._runs_seen.get(run_id)  # not changed since
            and ahead.gates == self._gates and time.monotonic() - ahead.at <= READ_AHEAD_TTL
        ):
            self._show_run(ahead.view, switch)
        else:
            self._load_run(run_id, switch)

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def _load_run(self, run_id: int, switch: bool = True) -> None:
        try:
            view = ops_runs.show_run(self.ctx.session(), run_id)
        except (UserError, StoreError) as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.call_from_thread(self._show_run, view, switch)

    @work(thread=True, exclusive=True, group="ahead", exit_on_error=False)
    def _load_ahead(self, run_id: int) -> None:
        gates = self._gates
        try:
            view = ops_runs.show_run(self.ctx.session(), run_id)
        except (UserError, StoreError):
            return  # quietly: enter reads again and says why
        self.call_from_thread(self._keep_ahead, ReadAhead(view, time.monotonic(), gates))

    def _keep_ahead(self, ahead: ReadAhead) -> None:
        self._ahead = ahead

    def _show_run(self, view: RunView, switch: bool) -> None:
        self.run_view = view
        self.query_one(ReviewSection).show_run(view, read_only=self.ctx.read_only, when=fmt_when)
        self._stale = {"drivers", "tours", "history"}
        self._show_section_bar()
        if switch:
            self.action_section("review")
        elif self.section in self._stale:
            self._fill(self.section)
        self._refresh_actions()
        # the tables of drivers and tours are filled while hidden, once the review is on screen:
        # switching to them is then one repaint instead of a fill and three
        self.call_after_refresh(self._fill, "drivers")
        self.call_after_refresh(self._fill, "tours")

    def _fill(self, section: str) -> None:
        """Fill a section for the open run if it is not yet (history reads the store: when shown)."""
        if section not in self._stale or self.run_view is None:
            return
        self._stale.discard(section)
        if section == "drivers":
            self.query_one(DriversSection).show_run(self.run_view)
        elif section == "tours":
            self.query_one(ToursSection).show_run(self.run_view)
        elif section == "history":
            self.load_history(self.run_view.run.id)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(self, run_id: int) -> None:
        try:
            s = self.ctx.session()
            records = ops_runs.approvals(s, run_id)
            chain = ops_runs.verify_log(s)
        except (UserError, StoreError) as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.call_from_thread(self.query_one(HistorySection).show_history, run_id, records, chain, fmt_when)

    def _refresh_actions(self) -> None:
        """Show enabled/dimmed/hidden actions anew, only when one of them changed (the runs list
        reloads every few seconds)."""
        state = tuple(self.check_action(a, ()) for a in ("publish", "lock", "reject", "solve", "import_forecast", "demo"))
        if state != self._action_state:
            self._action_state = state
            self.refresh_bindings()

    # --- the current table ----------------------------------------------------

    def current_table(self) -> RosterTable:
        """The focused table of the main screen, else the section's main table."""
        focused = self.screen.focused
        if self.screen is self.screen_stack[0] and isinstance(focused, RosterTable):
            return focused
        return self._section_table()

    def _section_table(self) -> RosterTable:
        return self.query_one(SECTION_TABLES[self.section], RosterTable)

    def run_ids(self) -> list[int]:
        return [int(k) for k in self.query_one("#runs-table", RosterTable).visible_keys] if self.session else []

    def driver_ids(self) -> list[str]:
        return [w.driver_id for w in self.run_view.weeks] if self.run_view else []

    # --- actions --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._too_small and action in MAIN_SCREEN_ONLY:
            return False
        if self.screen is not self.screen_stack[0] and action in MAIN_SCREEN_ONLY:
            return False  # a pushed screen (solve, import, driver week, dialog) owns the keys
        if action in RUN_ACTIONS:
            if self.ctx.read_only:
                return False
            if self.run_view is None or not self.run_view.actions[action].possible:
                return None
        if action in ("solve", "import_forecast"):
            if self.ctx.read_only:
                return False
            # dimmed for a role that would be refused (a viewer), as publish/lock/reject are
            return True if self.session and self.session.role in PLANNERS else None
        if action == "demo":
            return not self.ctx.read_only and (self.session is None or not self._runs_seen)
        return True

    def action_section(self, name: str) -> None:
        self.section = name
        self.query_one("#sections", ContentSwitcher).current = name
        self._show_section_bar()
        self._fill(name)
        table = self._section_table()
        if table.display:
            table.focus()

    @on(RosterTable.RowSelected, "#runs-table")
    def _run_selected(self, event: RosterTable.RowSelected) -> None:
        if event.key:
            self.open_run(int(event.key), ahead_ok=True)

    @on(RosterTable.RowSelected, "#drivers-table")
    def _driver_selected(self, event: RosterTable.RowSelected) -> None:
        if event.key:
            self.action_goto_driver(event.key)

    @on(JumpToDriver)
    def _jump(self, message: JumpToDriver) -> None:
        self.action_goto_driver(message.driver_id)

    def action_goto_driver(self, driver_id: str) -> None:
        week = next((w for w in self.run_view.weeks if w.driver_id == driver_id), None) if self.run_view else None
        if week is None:
            self.notify(f"driver {driver_id} has no work in the open run", severity="warning")
            return
        self.push_screen(DriverWeekScreen(week, self.run_view.run.id))

    def action_goto_run(self, run_id: int) -> None:
        self.query_one("#runs-table", RosterTable).select_key(str(run_id))
        self.open_run(run_id, ahead_ok=True)

    def action_open_selected(self) -> None:
        self.current_table().action_select_cursor()

    def _decide(self, action: str) -> None:
        view = self.run_view
        if view is None:
            return
        st = view.actions[action]
        run_id = view.run.id

        def submit(reason: str) -> str:
            return RUN_ACTIONS[action](self.ctx.session(), run_id, reason).message

        dialog = ReasonDialog(
            f"{TITLES[action]} — run {run_id}", st.transition,
            [f"checked: {', '.join(st.conditions)}"], submit,
        )

        def done(message: str | None) -> None:
            if message:
                self.notify(message)
                self.open_run(run_id, switch=False)
                self.load_runs()

        self.push_screen(dialog, done)

    def action_publish(self) -> None:
        self._decide("publish")

    def action_lock(self) -> None:
        self._decide("lock")

    def action_reject(self) -> None:
        self._decide("reject")

    def action_solve(self) -> None:
        if self.session is None:
            return

        def done(run_id: int | None) -> None:
            self.load_runs()
            if run_id is not None:
                self.open_run(run_id)

        self.push_screen(SolveScreen(self.session, fmt_when), done)

    def action_import_forecast(self) -> None:
        if self.session is None:
            return
        from app.tui.screens.importer import ImportScreen  # on first use: it loads the parsers

        anchor = next_week_anchor(self.ctx.clock).isoformat()
        self.push_screen(ImportScreen(self.session, anchor), lambda _fid: self.load_runs())

    def action_roster(self) -> None:
        from app.tui.screens.roster import RosterScreen  # on first use: it loads the roster parser

        self.push_screen(RosterScreen())

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def action_demo(self) -> None:
        from app.ops.demo import run_demo  # on first use: it loads the parsers and the solver

        self.call_from_thread(self.notify, "building the demo week and solving it…", timeout=10)
        try:
            _, _, run = run_demo(self.ctx.db_path, self.ctx.clock, self.ctx.login)
        except (UserError, StoreError) as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.call_from_thread(self.load_runs)
        self.call_from_thread(self.open_run, run.id)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self._section_table().filter_text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._section_table().apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self._section_table().focus()

    def action_sort(self) -> None:
        self.notify(self.current_table().cycle_sort())

    def action_refresh(self) -> None:
        self.load_runs()
        if self.run_view is not None:
            self.open_run(self.run_view.run.id, switch=False)

    def action_export(self) -> None:
        table = self.current_table()
        run = f"-run{self.run_view.run.id}" if self.run_view and self.section != "runs" else ""
        path = Path.cwd() / f"solvereign-{self.section}{run}.csv"
        try:
            n = table.export_csv(path)
        except OSError as exc:
            self.notify(f"export failed: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"exported {n} rows to {path}")

    def action_evidence(self) -> None:
        """The open run's evidence pack, as `solvereign evidence ID` writes it."""
        from app.errors import UserError
        from app.ops.evidence import export

        if self.run_view is None:
            self.notify("open a run first (1, then enter)", severity="warning")
            return
        run_id = self.run_view.run.id
        try:
            written = export(self.ctx.session(), run_id, None)
        except (UserError, StoreError) as exc:
            self.notify(f"evidence pack of run {run_id} not written: {exc.message}", severity="error")
            return
        self.notify(f"evidence pack of run {run_id}: {written.path} {written.sha256}")

    def action_copy_row(self) -> None:
        text = self.current_table().selected_text()
        if text:
            self.copy_to_clipboard(text)
            self.notify("row copied (OSC 52)")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            table = self._section_table()
            table.apply_filter("")
            table.focus()
            return
        if self.section in ("drivers", "tours", "history"):
            self.action_section("review")
        elif self.section == "review":
            self.action_section("runs")

    def solve_running(self) -> bool:
        return any(isinstance(s, SolveScreen) and s.running for s in self.screen_stack)

    def action_quit_app(self) -> None:
        if not self.solve_running():
            self.exit()
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            for screen in self.screen_stack:
                if isinstance(screen, SolveScreen) and screen.running:
                    screen.cancel_and_quit()  # exits once the run is recorded (not left SOLVING)
                    return
            self.exit()

        self.push_screen(ConfirmDialog("A solve is running. Quit anyway (it is cancelled)?"), answer)
