"""Every action of the cockpit, once: its key, its footer label, its help line, its palette entry.

The bindings, the footer (through the bindings), the help screen, the command palette, the
section bar and the reason dialog's title all read this table; when an action is possible, and
why not, is the app's `check_action` / `why_disabled` (it needs the open run and the session).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from app.i18n import N_, _


@dataclass(frozen=True)
class CockpitAction:
    action: str  # the action string a binding runs, e.g. "publish" or "section('runs')"
    key: str  # Textual key names, comma-separated
    label: str  # in the footer (msgids, marked N_: translated where shown)
    help: str  # in the help screen
    palette: str = ""  # in the command palette, followed by the key ("" = not there)
    show: bool = True  # in the footer
    key_display: str | None = None
    help_key: str = ""  # the key as the help screen writes it (default: the key)
    any_table: bool = False  # acts on the focused table, in any view that has one (not only the main screen)

    @property
    def name(self) -> str:
        """The action method's name: "section" for "section('runs')"."""
        return self.action.split("(")[0]

    @property
    def shown_key(self) -> str:
        return self.key_display or self.key

    @property
    def app_wide(self) -> bool:
        """Help and quit work on every screen; every other key belongs to the main screen (a
        pushed screen or dialog owns the keyboard)."""
        return self.name in ("help", "quit_app")

    @property
    def title(self) -> str:
        return _(self.label)

    @property
    def help_text(self) -> str:
        return _(self.help)

    @property
    def palette_text(self) -> str:
        """"Publish the open run (P)", in the current language."""
        return f"{_(self.palette)} ({self.shown_key})"

    def binding(self) -> Binding:
        """The binding: on the main screen its action runs on the app ("app.publish"). Its
        description is the msgid; the footer translates it."""
        action = self.action if self.app_wide else f"app.{self.action}"
        return Binding(self.key, action, self.label, show=self.show, key_display=self.key_display,
                       id=f"cockpit.{self.action}")


SECTIONS = (("runs", N_("Runs")), ("review", N_("Review")), ("drivers", N_("Drivers")), ("tours", N_("Tours")),
            ("history", N_("History")))

ACTIONS: tuple[CockpitAction, ...] = (
    *(
        CockpitAction(f"section('{key}')", str(n), name, N_("sections: Runs, Review, Drivers, Tours, History"),
                      name, show=False, help_key="1 … 5")
        for n, (key, name) in enumerate(SECTIONS, start=1)
    ),
    CockpitAction("open_selected", "enter", N_("Open"), N_("open the selected run / driver / tour (its detail) / offending row"), show=False),
    CockpitAction("publish", "P", N_("Publish"), N_("publish the open run (reason dialog; AUDITED → PUBLISHED)"),
                  N_("Publish the open run")),
    CockpitAction("lock", "L", N_("Lock"), N_("lock the open run (reason dialog; PUBLISHED → LOCKED, before the week starts)"),
                  N_("Lock the open run")),
    CockpitAction("reject", "X", N_("Reject"), N_("reject the open run (reason dialog)"), N_("Reject the open run")),
    CockpitAction("solve", "s", N_("Solve"), N_("solve a stored forecast (live progress; esc cancels and keeps the best plan)"),
                  N_("Solve a forecast")),
    CockpitAction("import_forecast", "i", N_("Import"), N_("import a forecast file (validate, then enter again to store)"),
                  N_("Import a forecast")),
    CockpitAction("demo", "d", N_("Demo week"), N_("load the demo week (where there is no store, or no run yet)"),
                  N_("Load the demo week"), show=False),
    CockpitAction("forecasts", "F", N_("Forecasts"),
                  N_("stored forecasts: status, warnings, days covered, tours per day, the diff to the previous version"),
                  N_("Stored forecasts and their versions"), show=False),
    CockpitAction("roster", "D", N_("Roster"), N_("the driver roster of your sites (changed with solvereign drivers import|remove)"),
                  N_("Driver roster of your sites"), show=False),
    CockpitAction("repair", "R", N_("Repair"),
                  N_("repair the open run: absent drivers, type, reason; ctrl+r preview, ctrl+y apply, ctrl+u undo, the diff"),
                  N_("Repair the open run: sick call"), show=False),
    CockpitAction("drills", "H", N_("Drills"), N_("past drills with their verdicts (run them with solvereign drill …)"),
                  N_("Past drills and their verdicts"), show=False),
    CockpitAction("evidence", "E", N_("Evidence pack"), N_("write the open run's evidence pack to the site's evidence folder (path and sha256 shown)"),
                  N_("Write the open run's evidence pack"), show=False),
    CockpitAction("ack_alert", "A", N_("Ack alert"),
                  N_("acknowledge the top escalation alert of the banner (reason dialog; S2 on_call, S1 ops_lead, S0 platform_admin)"),
                  N_("Acknowledge the top alert")),
    CockpitAction("filter", "slash", N_("Filter"), N_("filter the current table (hides rows; esc clears)"),
                  N_("Filter the current table"), key_display="/"),
    CockpitAction("sort", "o", N_("Sort"), N_("sort by a column you pick (picked again: the other way; the header shows ▲ ▼)"),
                  N_("Sort the current table by a column"), show=False, any_table=True),
    CockpitAction("columns", "c", N_("Columns"), N_("choose the columns of the current table (the first one stays)"),
                  N_("Choose the columns of the current table"), show=False, any_table=True),
    CockpitAction("refresh", "r", N_("Refresh"), N_("refresh now (the runs list also refreshes itself every few seconds)"),
                  N_("Refresh"), show=False),
    CockpitAction("export", "e", N_("Export CSV"), N_("export the current table to CSV (path shown and editable; asks before overwriting)"),
                  N_("Export the current table to CSV"), show=False, any_table=True),
    CockpitAction("copy_row", "y", N_("Copy row"), N_("copy the selected row to the clipboard (OSC 52, works over SSH)"),
                  N_("Copy the selected row"), show=False, any_table=True),
    CockpitAction("help", "question_mark", N_("Help"), N_("this help"), N_("Help: every key"), key_display="?"),
    CockpitAction("back", "escape", N_("Back"), N_("back out: close a dialog or screen, clear the filter, return to Runs"),
                  show=False, help_key="esc"),
    CockpitAction("quit_app", "q", N_("Quit"), N_("quit (asks first while a solve is running)")),
    CockpitAction("outbox", "N", N_("Outbox"),
                  N_("the open run's driver notifications: per driver and channel state, attempts, last error, sent at (r refreshes)"),
                  N_("Driver notifications of the open run (outbox)")),
)

# keys that are not actions of the app: the tables' own, and Textual's palette
NAVIGATION_HELP = (
    ("↑ ↓", N_("move the cursor in a table (pgup/pgdn a page, home/end the first/last row)")),
    ("← →", N_("scroll a wide table a column at a time (the first column stays)")),
    ("n / N", N_("in a driver's week: the next / previous driver")),
    ("enter", N_("in a driver's week: the day's first tour in detail (its block and the rules around it)")),
    ("p / m", N_("in a driver's week: pin the day's tours / move the day's block to another driver (live rule check)")),
    ("❄ ⚑", N_("frozen tour (keeps its driver; on-call override only) / pinned tour; tours view: the next freeze time")),
    ("tab", N_("next pane or table (shift+tab: previous); the focused one is marked")),
    ("ctrl+p", N_("command palette: what can be done now, go to run, go to driver")),
)

# the views a key of the main screen does not work in, as the one-line notice names them
VIEWS = {
    "DriverWeekScreen": N_("the driver week"), "ForecastsScreen": N_("the forecasts"), "RosterScreen": N_("the roster"),
    "DrillsScreen": N_("the drills"), "RepairScreen": N_("the repair screen"), "ImportScreen": N_("the import screen"),
    "SolveScreen": N_("the solve screen"), "TourDetailScreen": N_("the tour detail"), "OutboxScreen": N_("the outbox"),
}

APP_BINDINGS = [a.binding() for a in ACTIONS if a.app_wide]
MAIN_BINDINGS = [a.binding() for a in ACTIONS if not a.app_wide]
BY_NAME = {a.name: a for a in ACTIONS if a.name != "section"}


BY_KEY = {key: a for a in ACTIONS if not a.app_wide and a.name not in ("open_selected", "back")
          for key in a.key.split(",")}


def table_action(key: str) -> CockpitAction | None:
    """The action of a key that works on the focused table of any view (o, c, e, y)."""
    a = BY_KEY.get(key)
    return a if a is not None and a.any_table else None


def not_here(key: str, view: str, back_to: str) -> str | None:
    """The one line a main-screen key says in a view it does not work in (None: not such a key).
    `view` and `back_to` are msgids (VIEWS, SECTIONS)."""
    a = BY_KEY.get(key)
    if a is None:
        return None
    return _("{key} {action}: not in {view} — esc back to {back}").format(key=a.shown_key, action=a.title, view=_(view), back=_(back_to))


def help_rows() -> list[tuple[str, str]]:
    """(key, what it does) for the help screen, in the order a dispatcher meets them, translated."""
    rows: list[tuple[str, str]] = []
    for a in ACTIONS:
        key = a.help_key or a.shown_key
        if not rows or rows[-1][0] != key:
            rows.append((key, a.help_text))
    nav = [(key, _(what)) for key, what in NAVIGATION_HELP]
    return rows[:2] + nav[:2] + rows[2:] + nav[2:]


def key_of(name: str) -> str:
    """The key of an action as shown to people ("P" for publish)."""
    return BY_NAME[name].shown_key

