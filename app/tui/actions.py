"""Every action of the cockpit, once: its key, its footer label, its help line, its palette entry.

The bindings, the footer (through the bindings), the help screen, the command palette, the
section bar and the reason dialog's title all read this table; when an action is possible, and
why not, is the app's `check_action` / `why_disabled` (it needs the open run and the session).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class CockpitAction:
    action: str  # the action string a binding runs, e.g. "publish" or "section('runs')"
    key: str  # Textual key names, comma-separated
    label: str  # in the footer
    help: str  # in the help screen
    palette: str = ""  # in the command palette ("" = not there)
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

    def binding(self) -> Binding:
        """The binding: on the main screen its action runs on the app ("app.publish")."""
        action = self.action if self.app_wide else f"app.{self.action}"
        return Binding(self.key, action, self.label, show=self.show, key_display=self.key_display,
                       id=f"cockpit.{self.action}")


SECTIONS = (("runs", "Runs"), ("review", "Review"), ("drivers", "Drivers"), ("tours", "Tours"), ("history", "History"))

ACTIONS: tuple[CockpitAction, ...] = (
    *(
        CockpitAction(f"section('{key}')", str(n), name, "sections: Runs, Review, Drivers, Tours, History",
                      f"{name} ({n})", show=False, help_key="1 … 5")
        for n, (key, name) in enumerate(SECTIONS, start=1)
    ),
    CockpitAction("open_selected", "enter", "Open", "open the selected run / driver / tour (its detail) / offending row", show=False),
    CockpitAction("publish", "P", "Publish", "publish the open run (reason dialog; AUDITED → PUBLISHED)",
                  "Publish the open run (P)"),
    CockpitAction("lock", "L", "Lock", "lock the open run (reason dialog; PUBLISHED → LOCKED, before the week starts)",
                  "Lock the open run (L)"),
    CockpitAction("reject", "X", "Reject", "reject the open run (reason dialog)", "Reject the open run (X)"),
    CockpitAction("solve", "s", "Solve", "solve a stored forecast (live progress; esc cancels and keeps the best plan)",
                  "Solve a forecast (s)"),
    CockpitAction("import_forecast", "i", "Import", "import a forecast file (validate, then enter again to store)",
                  "Import a forecast (i)"),
    CockpitAction("demo", "d", "Demo week", "load the demo week (where there is no store, or no run yet)",
                  "Load the demo week (d)", show=False),
    CockpitAction("forecasts", "F", "Forecasts",
                  "stored forecasts: status, warnings, days covered, tours per day, the diff to the previous version",
                  "Stored forecasts and their versions (F)", show=False),
    CockpitAction("roster", "D", "Roster", "the driver roster of your sites (changed with solvereign drivers import|remove)",
                  "Driver roster of your sites (D)", show=False),
    CockpitAction("repair", "R", "Repair",
                  "repair the open run: absent drivers, type, reason; ctrl+r preview, ctrl+y apply, ctrl+u undo, the diff",
                  "Repair the open run: sick call (R)", show=False),
    CockpitAction("drills", "H", "Drills", "past drills with their verdicts (run them with solvereign drill …)",
                  "Past drills and their verdicts (H)", show=False),
    CockpitAction("evidence", "E", "Evidence pack", "write the open run's evidence pack to the site's evidence folder (path and sha256 shown)",
                  "Write the open run's evidence pack (E)", show=False),
    CockpitAction("filter", "slash", "Filter", "filter the current table (hides rows; esc clears)",
                  "Filter the current table (/)", key_display="/"),
    CockpitAction("sort", "o", "Sort", "sort by a column you pick (picked again: the other way; the header shows ▲ ▼)",
                  "Sort the current table by a column (o)", show=False, any_table=True),
    CockpitAction("columns", "c", "Columns", "choose the columns of the current table (the first one stays)",
                  "Choose the columns of the current table (c)", show=False, any_table=True),
    CockpitAction("refresh", "r", "Refresh", "refresh now (the runs list also refreshes itself every few seconds)",
                  "Refresh (r)", show=False),
    CockpitAction("export", "e", "Export CSV", "export the current table to CSV (path shown and editable; asks before overwriting)",
                  "Export the current table to CSV (e)", show=False, any_table=True),
    CockpitAction("copy_row", "y", "Copy row", "copy the selected row to the clipboard (OSC 52, works over SSH)",
                  "Copy the selected row (y)", show=False, any_table=True),
    CockpitAction("help", "question_mark", "Help", "this help", "Help: every key (?)", key_display="?"),
    CockpitAction("back", "escape", "Back", "back out: close a dialog or screen, clear the filter, return to Runs",
                  show=False, help_key="esc"),
    CockpitAction("quit_app", "q", "Quit", "quit (asks first while a solve is running)"),
)

# keys that are not actions of the app: the tables' own, and Textual's palette
NAVIGATION_HELP = (
    ("↑ ↓", "move the cursor in a table (pgup/pgdn a page, home/end the first/last row)"),
    ("← →", "scroll a wide table a column at a time (the first column stays)"),
    ("n / N", "in a driver's week: the next / previous driver"),
    ("enter", "in a driver's week: the day's first tour in detail (its block and the rules around it)"),
    ("p / m", "in a driver's week: pin the day's tours / move the day's block to another driver (live rule check)"),
    ("❄ ⚑", "frozen tour (keeps its driver; on-call override only) / pinned tour; tours view: the next freeze time"),
    ("tab", "next pane or table (shift+tab: previous); the focused one is marked"),
    ("ctrl+p", "command palette: what can be done now, go to run, go to driver"),
)

# the views a key of the main screen does not work in, as the one-line notice names them
VIEWS = {
    "DriverWeekScreen": "the driver week", "ForecastsScreen": "the forecasts", "RosterScreen": "the roster",
    "DrillsScreen": "the drills", "RepairScreen": "the repair screen", "ImportScreen": "the import screen",
    "SolveScreen": "the solve screen", "TourDetailScreen": "the tour detail",
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
    """The one line a main-screen key says in a view it does not work in (None: not such a key)."""
    a = BY_KEY.get(key)
    if a is None:
        return None
    return f"{a.shown_key} {a.label}: not in {view} — esc back to {back_to}"


def help_rows() -> list[tuple[str, str]]:
    """(key, what it does) for the help screen, in the order a dispatcher meets them."""
    rows: list[tuple[str, str]] = []
    for a in ACTIONS:
        key = a.help_key or a.shown_key
        if not rows or rows[-1][0] != key:
            rows.append((key, a.help))
    return rows[:2] + list(NAVIGATION_HELP[:2]) + rows[2:] + list(NAVIGATION_HELP[2:])


def key_of(name: str) -> str:
    """The key of an action as shown to people ("P" for publish)."""
    return BY_NAME[name].shown_key
