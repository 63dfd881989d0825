"""Every key of the cockpit, in one place: the app's bindings and the help screen come from here."""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS = [
    Binding("1", "section('runs')", "Runs", id="go.runs", show=False),
    Binding("2", "section('review')", "Review", id="go.review", show=False),
    Binding("3", "section('drivers')", "Drivers", id="go.drivers", show=False),
    Binding("4", "section('tours')", "Tours", id="go.tours", show=False),
    Binding("5", "section('history')", "History", id="go.history", show=False),
    Binding("enter", "open_selected", "Open", id="open", show=False),
    Binding("P", "publish", "Publish", id="run.publish"),
    Binding("L", "lock", "Lock", id="run.lock"),
    Binding("X", "reject", "Reject", id="run.reject"),
    Binding("s", "solve", "Solve", id="solve"),
    Binding("i", "import_forecast", "Import", id="import"),
    Binding("d", "demo", "Demo week", id="demo", show=False),
    Binding("D", "roster", "Roster", id="roster"),
    Binding("slash", "filter", "Filter", id="filter", key_display="/"),
    Binding("o", "sort", "Sort", id="sort", show=False),
    Binding("r", "refresh", "Refresh", id="refresh", show=False),
    Binding("e", "export", "Export CSV", id="export", show=False),
    Binding("E", "evidence", "Evidence pack", id="run.evidence", show=False),
    Binding("y", "copy_row", "Copy row", id="copy", show=False),
    Binding("question_mark", "help", "Help", id="help", key_display="?"),
    Binding("escape", "back", "Back", id="back", show=False),
    Binding("q", "quit_app", "Quit", id="quit"),
]

# (key, what it does) for the help screen, in the order a dispatcher meets them
HELP = [
    ("1 … 5", "sections: Runs, Review, Drivers, Tours, History"),
    ("enter", "open the selected run / driver / offending row"),
    ("↑ ↓", "move the cursor in a table (pgup/pgdn a page, home/end the first/last row)"),
    ("← →", "scroll a wide table a column at a time (the first column stays)"),
    ("esc", "back out: close a dialog or screen, clear the filter, return to Runs"),
    ("P", "publish the open run (reason dialog; AUDITED → PUBLISHED)"),
    ("L", "lock the open run (reason dialog; PUBLISHED → LOCKED, before the week starts)"),
    ("X", "reject the open run (reason dialog)"),
    ("s", "solve a stored forecast (live progress; esc cancels and keeps the best plan)"),
    ("i", "import a forecast file (validate, then enter again to store)"),
    ("d", "load the demo week (on an empty store)"),
    ("D", "the driver roster of your sites (changed with solvereign drivers import|remove)"),
    ("/", "filter the current table (hides rows; esc clears)"),
    ("o", "sort the current table (next column, then reverse)"),
    ("r", "refresh now (the runs list also refreshes itself every few seconds)"),
    ("e", "export the current table to CSV (the path is shown)"),
    ("E", "write the open run's evidence pack to the site's evidence folder (path and sha256 shown)"),
    ("y", "copy the selected row to the clipboard (OSC 52, works over SSH)"),
    ("ctrl+p", "command palette: every action, go to run, go to driver"),
    ("?", "this help"),
    ("q", "quit (asks first while a solve is running)"),
]
