"""The CLI's tables (app/tables.py): plain and one line per row when piped; on a terminal they
fit its width, colour only when allowed."""

from __future__ import annotations

import io
import re

from rich.text import Text

from app.tables import Column, print_table, table_lines

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLUMNS = [Column("id", right=True), Column("state"), Column("reason", free=True)]
ROWS = [("7", Text("FAILED", style="bold red"), "the solver found no legal plan for the tours of Friday " * 3),
        ("12", "LOCKED", "checked with the lead")]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_tables_are_plain_one_line_per_row_and_right_align_numbers():
    out = io.StringIO()
    print_table(COLUMNS, ROWS, file=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and not ANSI.search(out.getvalue())
    assert lines[0].split() == ["id", "state", "reason"]
    assert lines[1].startswith(" 7  FAILED  the solver") and lines[2].startswith("12  LOCKED  checked")
    assert all(line == line.rstrip() for line in lines)
    assert lines == table_lines(COLUMNS, ROWS)


def test_on_an_80_column_terminal_the_table_fits_and_colour_follows_no_color(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Terminal()
    print_table(COLUMNS, ROWS, file=out)
    plain = ANSI.sub("", out.getvalue()).splitlines()
    assert max(len(line) for line in plain) <= 80
    assert len(plain) > 3  # the long reason folds inside its column instead of running off the edge
    assert "\x1b[1;31m" in out.getvalue() or "\x1b[31;1m" in out.getvalue()  # FAILED in bold red
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    print_table(COLUMNS, ROWS, file=out)
    codes = set(ANSI.findall(out.getvalue()))
    assert codes and not any(re.search(r"\b3[0-7]\b|38;", c) for c in codes), codes  # bold, no colour


def test_a_table_too_wide_to_fold_readably_keeps_one_line_per_row(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    columns = [Column(f"c{i}") for i in range(8)] + [Column("reason", free=True)]
    row = tuple(f"value-{i}" for i in range(8)) + ("a reason of some length",)
    out = Terminal()
    print_table(columns, [row, row], file=out)
    plain = ANSI.sub("", out.getvalue()).splitlines()
    assert len(plain) == 3 and plain[1].endswith("a reason of some length")  # not folded into a 2-character column


def test_a_narrow_terminal_leaves_out_the_droppable_columns_first_and_says_which(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    columns = [Column("id"), Column("week"), Column("note", drop=1), Column("by", drop=2)]
    rows = [("1", "2026-01-05", "a note of some length", "dana")]
    out = Terminal()
    print_table(columns, rows, file=out)
    plain = ANSI.sub("", out.getvalue()).splitlines()
    assert plain[0].split() == ["id", "week", "note"] and max(len(line) for line in plain) <= 40
    assert " ".join(" ".join(plain[2:]).split()) == "(not shown at 40 columns: by; a wider terminal or --json shows them)"
    piped = io.StringIO()
    print_table(columns, rows, file=piped)
    assert piped.getvalue().splitlines()[0].split() == ["id", "week", "note", "by"]  # piped: every column
