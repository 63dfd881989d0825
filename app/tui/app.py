"""The cockpit: review, publish and lock the week by keyboard, over SSH.

The app owns the state (session, open run); thread workers do every store read
and write and post what they found as messages (app/tui/messages.py), handled with
`@on` on the UI thread. No connection is held between operations, so other
dispatchers and the CLI share the store freely.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.events import DescendantFocus, Key, Resize
from textual.notifications import Notify
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Static

from app.errors import NotAUser, Unreachable, UserError, said
from app.i18n import N_, _
from app.ops.policy import ALERT_ACKERS, PLANNERS, REPAIRERS
from app.ops.runs import RunView
from app.ops.status import StatusView
from app.reports import fmt_when
from app.settings import resolve_export_dir
from app.tui.actions import APP_BINDINGS, BY_NAME, MAIN_BINDINGS, SECTIONS, VIEWS, key_of, not_here, table_action
from app.tui.commands import CockpitCommands, translated_system_commands

from app.tui.backend import CockpitBackend
from app.tui.dialogs.blocked import BlockedNotice
from app.tui.dialogs.confirm import ConfirmDialog
from app.tui.dialogs.reason import ReasonDialog
from app.tui.messages import DemoReady, EvidenceWritten, HistoryLoaded, JobsLoaded, RunLoaded, RunReadAhead, RunsLoaded, WorkFailed
from app.tui.read_ahead import READ_AHEAD_AFTER, ReadAheadCache
from app.tui.screens.driver_week import DriverWeekScreen, OpenTour
from app.tui.screens.drivers import DriversSection
from app.tui.screens.help import HelpScreen
from app.tui.screens.history import HistorySection
from app.tui.screens.review import JumpToDriver, ReviewSection
from app.tui.screens.runs import RunsSection, run_rows
from app.tui.screens.solve import SolveScreen
from app.tui.screens.tours import ToursSection
from app.tui.widgets.alert_banner import AlertBanner
from app.tui.widgets.fit import Part
from app.tui.widgets.footer import CockpitFooter
from app.tui.widgets.message_line import MessageLine
from app.tui.widgets.status_bar import Banners, SectionBar, StatusBar
from app.tui.widgets.table import RosterTable
from engine.clock import VIENNA, next_week_anchor
from storage.errors import StoreError

MIN_SIZE = (80, 24)
RUN_ACTIONS = ("publish", "lock", "reject")
SECTION_TABLES = {
    "runs": "#runs-table", "review": "#audits-table", "drivers": "#drivers-table",
    "tours": "#tours-table", "history": "#history-table",
}
DIMMABLE = {*RUN_ACTIONS, "solve", "import_forecast", "repair", "evidence", "drills", "roster", "outbox", "ack_alert"}  # dimmed, with a reason, when not possible
TITLES = {"publish": N_("Publish the plan"), "lock": N_("Lock the plan (final, immutable)"), "reject": N_("Reject the plan")}  # dialogs
NO_RUN_OPEN = N_("no run is open: choose one in Runs (1) and press enter")


class MainScreen(Screen):
    """The cockpit's own screen. Opaque, so its background is painted as blank strips: Textual
    otherwise renders the screen's background through Rich, line by line, on every layout,
    which cost ~70 ms of each section switch at 120×40. Its bindings are the cockpit's keys
    (a pushed screen or dialog does not have them)."""

    BLANK = True
    BINDINGS = MAIN_BINDINGS


class CockpitApp(App[None]):
    CSS_PATH = "styles/cockpit.tcss"
    TITLE = "solvereign"
    BINDINGS = APP_BINDINGS
    COMMANDS = App.COMMANDS | {CockpitCommands}

    def __init__(
        self, ctx: CockpitBackend, *, theme: str | None = None, refresh_seconds: float = 3.0, blink: bool = True,
        first_read: Future[StatusView] | None = None, read_ahead: float | None = READ_AHEAD_AFTER,
    ) -> None:
        """`first_read`: `ctx.overview()` already started in the background (by the command that
        opens the cockpit, before Textual loads): the first runs list uses it. `read_ahead`:
        seconds the cursor rests on a run before its review is read ahead (None: never)."""
        super().__init__()
        self.ctx = ctx
        self._first_read = first_read
        self._blink = blink  # False: no blinking cursor in inputs (deterministic snapshots)
        self._theme_name = theme
        self._refresh_seconds = refresh_seconds
        self.status: StatusView | None = None  # the identity and gates as last read (None: no user session)
        self.run_view: RunView | None = None
        self.section = "runs"
        self._too_small = False
        self._offer_demo = False  # no session: may `d` create a demo store here?
        self._focus_before: Widget | None = None
        self._stale: set[str] = set()
        self._runs_seen: dict[int, int] = {}
        self._action_state: tuple | None = None
        self._gates: tuple = ()  # kill switch and site gates as last read
        self.ahead = ReadAheadCache(self.set_timer, read_ahead)

    def get_system_commands(self, screen: Screen):
        yield from translated_system_commands(super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        """Textual's palette, its search field in the cockpit's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    # --- layout ---------------------------------------------------------------


    def get_default_screen(self) -> Screen:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            yield StatusBar(" solvereign · " + _("loading…"), markup=False, id="status-bar")
            yield Banners("", markup=False, id="banners")
            yield AlertBanner(self.ctx.alerts, key=key_of("ack_alert"),
                              refresh_seconds=self._refresh_seconds, id="alert-banner")
            yield SectionBar("", id="section-bar")
            with ContentSwitcher(initial="runs", id="sections"):
                yield RunsSection(id="runs")
                yield ReviewSection(id="review")
                yield DriversSection(id="drivers")
                yield ToursSection(id="tours")
                yield HistorySection(id="history")
            yield Input(placeholder=_("filter: type to hide rows · esc clears"), id="filter")
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

    @on(Notify)
    def _notice(self, message: Notify) -> None:
        """Every notice goes to the current screen's message line (mounted on first use), not a toast."""
        screen = self.screen
        lines = screen.query_children(MessageLine)
        line = lines.first() if lines else None
        if line is None:
            line = MessageLine()
            screen.mount(line)
        line.show(message.notification)

    async def on_key(self, event: Key) -> None:
        """In another view, a table key (o c e y) acts on the view's focused table; any other key of
        the main screen says in one line that it does not work there, and nothing else happens.
        (Keys a view or its focused widget handle never get here.)"""
        screen = self.screen
        if screen is self.screen_stack[0] or isinstance(screen, ModalScreen) or event.key in screen.active_bindings:
            return
        if (a := table_action(event.key)) is not None and isinstance(screen.focused, RosterTable):
            event.stop()
            await self.run_action(a.action)
            return
        below = self.screen_stack[-2]
        back_to = dict(SECTIONS)[self.section] if below is self.screen_stack[0] else VIEWS.get(type(below).__name__, N_("the view before"))
        line = not_here(event.key, VIEWS.get(type(screen).__name__, N_("this view")), back_to)

        if line is not None:
            event.stop()
            self.notify(line, severity="warning")

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)
        self.query_one(StatusBar).refit(event.size.width)
        self.query_one(SectionBar).refit(event.size.width)
        self.query_one(DriversSection).fit_width(event.size.width)

    def _show_section_bar(self) -> None:
        run = self.run_view.run if self.run_view else None
        detail = [Part(_("run {id}").format(id=run.id), 1), Part(run.site, 2), Part(str(run.week_anchor), 0), Part(run.state, 0)] if run else []
        self.query_one(SectionBar).show_section(self.section, detail)

    def _check_size(self, width: int, height: int) -> None:
        self.screen.set_class(width < 110, "narrow")  # review stacks its two columns
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        main = self.query_one("#main")
        if small and not self._too_small:
            self._focus_before = self.screen_stack[0].focused
        # only q (and resizing) act behind the notice: a disabled #main takes no focus and no key
        # (a focused table would otherwise still take enter)
        main.disabled = small
        main.display = not small
        if not small and self._too_small:
            back, self._focus_before = self._focus_before, None
            self.call_after_refresh(self.screen_stack[0].set_focus, back or self._section_table())
        self._too_small = small
        notice = self.query_one("#too-small", Static)
        notice.display = small
        notice.update(_("Terminal too small: {width}×{height}.\nThe cockpit needs at least {min_width}×{min_height}.").format(
            width=width, height=height, min_width=MIN_SIZE[0], min_height=MIN_SIZE[1]))
        self.refresh_bindings()

    # --- loading (workers) ----------------------------------------------------

    @work(thread=True, exclusive=True, group="runs", exit_on_error=False)
    def load_runs(self, read: Future[StatusView] | None = None) -> None:
        """Read the runs list and status line (or wait for a read already under way), then show them."""
        if read is None:
            read = Future()
            try:
                read.set_result(self.ctx.overview())
            except (UserError, StoreError) as exc:
                read.set_exception(exc)
        read.exception()  # waits here, in the worker thread
        self.post_message(RunsLoaded(read))
        if read.exception() is None:
            try:
                jobs = self.ctx.jobs()
            except UserError:
                return  # the next refresh tries again
            if jobs is not None:
                self.post_message(JobsLoaded(jobs))

    @on(JobsLoaded)
    def _jobs_loaded(self, message: JobsLoaded) -> None:
        self.query_one(StatusBar).show_jobs(message.view)

    @on(RunsLoaded)
    def _runs_loaded(self, message: RunsLoaded) -> None:
        self._apply_overview(message.read)

    def _apply_overview(self, read: Future[StatusView]) -> None:
        try:
            view = read.result()
        except Unreachable as exc:
            self._unreachable(exc)
            return
        except (UserError, StoreError) as exc:
            self._no_session(exc)
            return
        self._show_overview(view)

    def _unreachable(self, exc: Unreachable) -> None:
        """The server did not answer: a banner says so, what was shown stays, the next refresh tries again."""
        self.query_one(Banners).show_unreachable(said(exc))
        if self.status is None:
            self.query_one(StatusBar).show_message(f"{self.ctx.remote} · {self.ctx.login}")
            self.query_one(RunsSection).show_welcome(said(exc), offer_demo=False)

    def _no_session(self, exc: UserError | StoreError) -> None:
        self.status = None
        self.query_one(Banners).show_unreachable(None)
        # the demo creates a store: offered only where there is none (for a stranger to an
        # existing store it would do nothing; an admin must add them)
        where = self.ctx.remote or self.ctx.db_path
        self._offer_demo = not self.ctx.remote and not self.ctx.db_path.exists() and not isinstance(exc, NotAUser)
        self.query_one(StatusBar).show_message(f"{where} · {self.ctx.login}")
        self.query_one(RunsSection).show_welcome(said(exc), offer_demo=self._offer_demo)
        self._refresh_actions()

    def _show_overview(self, view: StatusView) -> None:
        self.query_one(StatusBar).show_status(view, server=self.ctx.remote)
        self.query_one(Banners).show_status(view)
        runs = view.latest_runs
        self.status = view
        self.query_one(RunsSection).show_runs(run_rows(runs, fmt_when))
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
        self.ahead.schedule(int(key) if key else None, self._load_ahead)

    def open_run(self, run_id: int, switch: bool = True, *, ahead_ok: bool = False) -> None:
        """Show a run's review; `ahead_ok`: a review read ahead will do (when the user opens a
        run from the list; after an action or a change elsewhere the review is read anew)."""
        self.ahead.stop()
        view = self.ahead.take(run_id, self._runs_seen.get(run_id), self._gates) if ahead_ok else None
        if view is not None:
            self._show_run(view, switch)
        else:
            self._load_run(run_id, switch)

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def _load_run(self, run_id: int, switch: bool = True) -> None:
        try:
            view = self.ctx.show_run(run_id)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(said(exc)))
            return
        self.post_message(RunLoaded(view, switch))

    @on(RunLoaded)
    def _run_loaded(self, message: RunLoaded) -> None:
        self._show_run(message.view, message.switch)

    @on(WorkFailed)
    def _work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, severity="error")

    @work(thread=True, exclusive=True, group="ahead", exit_on_error=False)
    def _load_ahead(self, run_id: int) -> None:
        gates = self._gates
        try:
            view = self.ctx.show_run(run_id)
        except (UserError, StoreError):
            return  # quietly: enter reads again and says why
        self.post_message(RunReadAhead(view, time.monotonic(), gates))

    @on(RunReadAhead)
    def _keep_ahead(self, message: RunReadAhead) -> None:
        self.ahead.keep(message.view, message.at, message.gates)

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
            records, chain = self.ctx.history(run_id)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(said(exc)))
            return
        self.post_message(HistoryLoaded(run_id, records, chain))

    @on(HistoryLoaded)
    def _history_loaded(self, message: HistoryLoaded) -> None:
        self.query_one(HistorySection).show_history(message.run_id, message.records, message.chain, fmt_when)

    def _refresh_actions(self) -> None:
        """Show enabled/dimmed/hidden actions anew, only when one of them changed (the runs list
        reloads every few seconds)."""
        state = tuple(self.check_action(a, ()) for a in ("publish", "lock", "reject", "solve", "import_forecast", "demo", "outbox"))
        if state != self._action_state:
            self._action_state = state
            self.refresh_bindings()

    # --- the current table ----------------------------------------------------

    def current_table(self) -> RosterTable:
        """The focused table of the current view, else the section's main table."""
        focused = self.screen.focused
        return focused if isinstance(focused, RosterTable) else self._section_table()

    def _view_name(self) -> str:
        """The section, or the view on top ("driver-week"): names an exported file."""
        if self.screen is self.screen_stack[0]:
            return self.section
        return VIEWS.get(type(self.screen).__name__, "view").removeprefix("the ").replace(" ", "-")

    def _section_table(self) -> RosterTable:
        return self.query_one(SECTION_TABLES[self.section], RosterTable)

    def run_ids(self) -> list[int]:
        return [int(k) for k in self.query_one("#runs-table", RosterTable).visible_keys] if self.status else []

    def driver_ids(self) -> list[str]:
        return [w.driver_id for w in self.run_view.weeks] if self.run_view else []

    # --- actions --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._too_small and action not in ("quit_app", "quit"):
            return False
        return self.action_state(action)

    def action_state(self, action: str) -> bool | None:
        """On the main screen: True possible, None dimmed (with a reason, `why_disabled`), False
        hidden (read-only, or the demo once there are runs). The palette asks this too."""
        if self.ctx.unavailable(action) is not None:
            return False if action == "demo" else None
        if action in RUN_ACTIONS:
            if self.ctx.read_only:
                return False
            if self.run_view is None or not self.run_view.actions[action].possible:
                return None
        if action in ("solve", "import_forecast"):
            if self.ctx.read_only:
                return False
            # dimmed for a role that would be refused (a viewer), as publish/lock/reject are
            return True if self.status and self.status.role in PLANNERS else None
        if action == "repair":
            if self.ctx.read_only:
                return False
            return True if self.run_view is not None and self.status and self.status.role in REPAIRERS else None
        if action == "outbox":
            return True if self.run_view is not None else None
        if action == "ack_alert":
            top = self.query_one(AlertBanner).top
            if self.ctx.read_only or top is None:
                return False
            return True if self.status and self.status.role in ALERT_ACKERS[top.severity] else None
        if action == "demo":
            return not self.ctx.read_only and (self._offer_demo if self.status is None else not self._runs_seen)
        return True

    def why_disabled(self, action: str) -> str | None:
        """Why a key shown dimmed does nothing now (None: it is not dimmed)."""
        if self.action_state(action) is not None:
            return None
        if (why := self.ctx.unavailable(action)) is not None:
            return why
        if action in RUN_ACTIONS:
            if self.run_view is None:
                return _(NO_RUN_OPEN)
            return self.run_view.actions[action].why_not or _("plan is {state}").format(state=self.run_view.run.state)
        if action == "outbox":
            return _(NO_RUN_OPEN)
        if self.status is None:
            return _("no user session on this store (see Runs)")
        role = self.status.role
        if action == "ack_alert" and (top := self.query_one(AlertBanner).top) is not None:
            return _("role {role} may not acknowledge an {severity} alert (needs {roles})").format(
                role=role, severity=top.severity, roles=", ".join(sorted(ALERT_ACKERS[top.severity])))
        if action == "repair":
            if self.run_view is None:
                return _(NO_RUN_OPEN)
            return _("role {role} may not repair (needs {roles})").format(role=role, roles=", ".join(sorted(REPAIRERS)))
        needs = ", ".join(sorted(PLANNERS))
        if action == "solve":
            return _("role {role} may not solve (needs {roles})").format(role=role, roles=needs)
        return _("role {role} may not import (needs {roles})").format(role=role, roles=needs)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """A dimmed key says why in a notice that swallows what is typed next (so a reason typed
        into a dialog that never opened does not run as commands)."""
        on_main = self.screen is self.screen_stack[0] and not self._too_small
        if on_main and isinstance(action, str) and (default_namespace in (None, self) or action.startswith("app.")):
            name = action.removeprefix("app.").split("(")[0]
            if name in DIMMABLE and (why := self.why_disabled(name)) is not None:
                known = BY_NAME[name]
                self.push_screen(BlockedNotice(known.shown_key, known.title, why))
                return True
        return await super().run_action(action, default_namespace, namespaces)

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

    @on(RosterTable.RowSelected, "#tours-table")
    def _tour_selected(self, event: RosterTable.RowSelected) -> None:
        if event.key:
            self.open_tour(event.key)

    @on(OpenTour)
    def _open_tour(self, message: OpenTour) -> None:
        self.open_tour(message.tour_id)

    def open_tour(self, tour_id: str) -> None:
        """The tour's detail: its instance, driver, block and the rules around it."""
        from app.tui.screens.tour_detail import TourDetailScreen, detail_lines  # on first use
        from engine.tour_context import tour_context

        view = self.run_view
        instance = next((i for i in view.detail.instances if i.id == tour_id), None) if view else None
        if view is None or instance is None:
            return
        driver = view.detail.assignments.get(tour_id)
        week = next((w for w in view.weeks if w.driver_id == driver), None)
        frozen = bool(view.freeze and tour_id in view.freeze.frozen)
        lines = detail_lines(tour_context(instance, driver, week), view.run.id, frozen=frozen, pinned=tour_id in view.pins)
        self.push_screen(TourDetailScreen(lines))

    @on(JumpToDriver)
    def _jump(self, message: JumpToDriver) -> None:
        self.action_goto_driver(message.driver_id)

    def action_goto_driver(self, driver_id: str) -> None:
        weeks = self.run_view.weeks if self.run_view else []
        index = next((n for n, w in enumerate(weeks) if w.driver_id == driver_id), None)
        if index is None:
            self.notify(_("driver {id} has no work in the open run").format(id=driver_id), severity="warning")
            return
        view = self.run_view
        self.push_screen(DriverWeekScreen(
            weeks, index, view.run.id, ctx=None if self.ctx.read_only else self.ctx,
            frozen=frozenset(view.freeze.frozen if view.freeze else ()), pinned=frozenset(view.pins),
        ))

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
            return self.ctx.decide(action, run_id, reason)

        title = _("{action} — run {id}").format(action=_(TITLES[action]), id=run_id)
        dialog = ReasonDialog(title, st.transition, st.conditions, submit, st.effects)

        def done(message: str | None) -> None:
            if message:
                self.notify(message)
                self.open_run(run_id, switch=False)
                self.load_runs()

        self.push_screen(dialog, done)

    def action_ack_alert(self) -> None:
        banner = self.query_one(AlertBanner)
        top = banner.top
        if top is None:
            return

        def submit(reason: str) -> str:
            done = self.ctx.ack_alert(top.id, reason)
            return _("alert {id} acknowledged by {who}").format(id=done.id, who=done.acked_by)

        title = _("Acknowledge alert #{id} ({severity} {kind})").format(id=top.id, severity=top.severity, kind=top.kind)
        dialog = ReasonDialog(title, top.message, ["reason_given"], submit)

        def done(message: str | None) -> None:
            if message:
                self.notify(message)
                banner.reload()

        self.push_screen(dialog, done)

    def action_publish(self) -> None:
        self._decide("publish")

    def action_lock(self) -> None:
        self._decide("lock")

    def action_reject(self) -> None:
        self._decide("reject")

    def action_solve(self) -> None:
        if self.status is None:
            return

        def done(run_id: int | None) -> None:
            self.load_runs()
            if run_id is not None:
                self.open_run(run_id)

        self.push_screen(SolveScreen(self.ctx, fmt_when), done)

    def action_import_forecast(self) -> None:
        if self.status is None:
            return
        from app.tui.screens.importer import ImportScreen  # on first use

        anchor = next_week_anchor(self.ctx.clock).isoformat()
        self.push_screen(ImportScreen(self.ctx, self.status.sites[0], anchor), lambda _fid: self.load_runs())

    def action_repair(self) -> None:
        from app.tui.screens.repair import RepairScreen  # on first use: it loads the repair engine

        view = self.run_view
        if view is None or self.status is None or self.ctx.read_only:
            self.notify(_("open a run first (1, then enter); repair needs a writable store"), severity="warning")
            return

        def done(run_id: int | None) -> None:
            self.load_runs()
            if run_id is not None:
                self.open_run(run_id)

        self.push_screen(RepairScreen(self.ctx, view.run.id, sorted(w.driver_id for w in view.weeks)), done)

    def action_drills(self) -> None:
        from app.tui.screens.drills import DrillsScreen

        self.push_screen(DrillsScreen())

    def action_forecasts(self) -> None:
        from app.tui.screens.forecasts import ForecastsScreen

        self.push_screen(ForecastsScreen())

    def action_roster(self) -> None:
        from app.tui.screens.roster import RosterScreen  # on first use: it loads the roster parser

        self.push_screen(RosterScreen())

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def action_demo(self) -> None:
        self.notify(_("building the demo week and solving it…"), timeout=10)
        self._build_demo()

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _build_demo(self) -> None:
        from app.ops.demo import run_demo  # on first use: it loads the parsers and the solver

        try:
            *_ignored, run = run_demo(self.ctx.db_path, self.ctx.clock, self.ctx.login)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(said(exc)))
            return
        self.post_message(DemoReady(run.id))

    @on(DemoReady)
    def _demo_ready(self, message: DemoReady) -> None:
        self.load_runs()
        self.open_run(message.run_id)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self._section_table().filter_text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        table = self._section_table()
        table.apply_filter(event.value)
        box = self.query_one("#filter", Input)
        box.border_title = _("{shown} of {total}").format(shown=table.row_count, total=table.total_count) if event.value.strip() else ""

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self._section_table().focus()

    def action_sort(self) -> None:
        from app.tui.dialogs.sort_picker import SortPicker  # on first use: OptionList is not needed at start

        table = self.current_table()
        if not table.columns:
            return
        column, descending = table.sort_state

        def chosen(index: int | None) -> None:
            if index is not None:
                self.notify(table.sort_by(index))
                table.focus()

        self.push_screen(SortPicker(table.columns, column, descending), chosen)

    def action_columns(self) -> None:
        from app.tui.dialogs.column_chooser import ColumnChooser  # on first use

        table = self.current_table()
        if not table.columns:
            return
        hidden = set(range(len(table.columns))) - set(table.shown_columns)
        self.push_screen(ColumnChooser(table.columns, hidden, table.set_hidden), lambda _: table.focus())

    def action_refresh(self) -> None:
        self.load_runs()
        self.query_one(AlertBanner).reload()
        if self.run_view is not None:
            self.open_run(self.run_view.run.id, switch=False)

    def action_export(self) -> None:
        """Propose a file named by run, section and time in the export folder (not the current
        directory); the dialog lets the path be edited and asks before overwriting."""
        from app.tui.dialogs.export import ExportDialog  # on first use

        table = self.current_table()
        where = self._view_name()
        run = f"-run{self.run_view.run.id}" if self.run_view and where not in ("runs", "forecasts", "roster", "drills") else ""
        stamp = self.ctx.clock.now().astimezone(VIENNA).strftime("%Y%m%d-%H%M")
        proposed = resolve_export_dir() / f"solvereign{run}-{where}-{stamp}.csv"

        def write(path: Path | None) -> None:
            if path is None:
                return
            try:
                n = table.export_csv(path)
            except OSError as exc:
                self.notify(_("export failed: {reason}").format(reason=exc.strerror or exc), severity="error")
                return
            self.notify(_("exported {n} rows to {path}").format(n=n, path=path))

        sections = dict(SECTIONS)
        shown = _(sections[where]) if where in sections else _(VIEWS.get(type(self.screen).__name__, where))
        what = _("{section} of run {id}").format(section=shown, id=run[4:]) if run else shown
        self.push_screen(ExportDialog(what, proposed), write)

    def action_evidence(self) -> None:
        if self.run_view is None:
            self.notify(_("open a run first (1, then enter)"), severity="warning")
            return
        self._write_evidence(self.run_view.run.id)

    @work(thread=True, exclusive=True, group="evidence", exit_on_error=False)
    def _write_evidence(self, run_id: int) -> None:
        """The open run's evidence pack, as `solvereign evidence ID` writes it (in remote mode: on the server)."""
        try:
            written = self.ctx.record_evidence(run_id)
        except (UserError, StoreError) as exc:
            self.post_message(WorkFailed(_("evidence pack of run {id} not written: {reason}").format(id=run_id, reason=said(exc))))
            return
        self.post_message(EvidenceWritten(run_id, written))

    @on(EvidenceWritten)
    def _evidence_written(self, message: EvidenceWritten) -> None:
        self.notify(_("evidence pack of run {id}: {path} {sha256}").format(
            id=message.run_id, path=message.written.path, sha256=message.written.sha256))

    def action_outbox(self) -> None:
        from app.tui.screens.outbox import OutboxScreen  # on first use

        if self.run_view is not None:
            self.push_screen(OutboxScreen(self.run_view.run.id))

    def action_copy_row(self) -> None:
        text = self.current_table().selected_text()
        if text:
            self.copy_to_clipboard(text)
            self.notify(_("row copied (OSC 52)"))

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

        self.push_screen(ConfirmDialog(_("A solve is running. Quit anyway (it is cancelled)?")), answer)

