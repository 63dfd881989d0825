"""Output safety and exit codes: text people type is refused at input when it holds control or
format characters, what is printed from the store is escaped, and `validate`/`import` exit ≥ 2
whenever nothing was stored."""

from __future__ import annotations

import duckdb
import pytest
from ops_world import ADMIN, DISPATCHER, OTHER_SITE, REASON, WEEK_C, World, cli

FORGED_LINE = "ok ok ok ok\n#99  2026-01-01 12:00  plan 1    lock      PUBLISHED → LOCKED     olga (ops_lead)"


@pytest.mark.parametrize(
    "reason",
    [FORGED_LINE, "approved \x1b[2J\x1b[31mby the boss", "\u200b" * 10, "weekly\u202eapproval", "tab\tseparated reason"],
    ids=["newline", "ansi", "zero-width", "bidi", "tab"],
)
@pytest.mark.parametrize("action", ["publish", "reject"])
def test_reasons_with_control_or_format_characters_are_refused(world: World, action: str, reason: str):
    r = cli(world.db, action, str(world.runs["clean"]), "--reason", reason, login=DISPATCHER)
    assert r.code == 2 and "control or format characters" in r.error_line, r
    assert "\x1b" not in r.err


def test_zero_width_padding_does_not_count_towards_ten_characters(world: World):
    r = cli(world.db, "kill-switch", "on", "--reason", "ab" + "\u0301" * 10, login=ADMIN)  # combining marks
    assert r.code == 2 and "at least 10 visible characters (has 2)" in r.error_line, r


def test_what_the_store_holds_is_printed_escaped(fresh_world: World):
    """An older or hand-edited record with a newline and an escape sequence prints as one escaped line."""
    w = fresh_world
    run = w.runs["published"]
    conn = duckdb.connect(str(w.db))
    try:
        conn.execute("UPDATE approvals SET reason = ?, actor = ? WHERE plan_id = ? AND action = 'publish'",
                     [FORGED_LINE + "\x1b[31m", "dora\x1b]0;pwned\x07", run])
    finally:
        conn.close()
    out = cli(w.db, "log", str(run), login=ADMIN).out
    assert "\x1b" not in out and "\x07" not in out
    assert not any(line.startswith("#99") for line in out.splitlines()), out
    assert "\\n#99" in out and "\\x1b[31m" in out
    show = cli(w.db, "show-run", str(run), login=ADMIN).out
    assert "\x1b" not in show and "\\n#99" in show


def test_error_lines_escape_file_names(tmp_path):
    name = tmp_path / "week\x1b[31m\nreally.csv"
    r = cli(None, "validate", str(name), login=ADMIN)
    assert r.code == 2 and "\x1b" not in r.out + r.err and "\\x1b[31m\\nreally.csv" in r.out, r


# --- exit codes: ≥ 2 means nothing was stored ----------------------------------------------------


def test_import_into_an_unknown_site_exits_2(world: World):
    r = cli(world.db, "import", str(world.files["fresh"]), "--site", "linz", "--anchor", WEEK_C, login=DISPATCHER)
    assert r.code == 2 and "site linz not found" in r.error_line, r


def test_import_by_an_unknown_user_and_of_a_missing_file_exit_2(world: World, tmp_path):
    assert cli(world.db, "import", str(world.files["fresh"]), "--anchor", WEEK_C, login="nobody").code == 2
    missing = cli(world.db, "import", str(tmp_path / "none.csv"), "--anchor", WEEK_C, login=DISPATCHER)
    assert missing.code == 2 and "nothing stored" in missing.out


def test_warn_stays_exit_1_because_it_is_stored(fresh_world: World):
    w = fresh_world
    r = cli(w.db, "import", str(w.files["warn_c"]), "--json", login=DISPATCHER)  # stored already: same id, WARN
    assert r.code == 1 and r.json["status"] == "WARN" and r.json["forecast_id"] is not None


def test_import_refused_for_a_site_outside_the_scope_exits_2(world: World):
    r = cli(world.db, "import", str(world.files["fresh"]), "--site", OTHER_SITE, "--anchor", WEEK_C, login=DISPATCHER)
    assert r.code == 2, r
    assert cli(world.db, "publish", "424242", "--reason", REASON, login=DISPATCHER).code == 1  # other commands keep 1
