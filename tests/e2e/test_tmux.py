"""The cockpit in a real terminal (tmux, 120×40, TERM=xterm-256color, a fixed --now).

Start it from a shell, open a run, publish it with a reason, quit; then check the store
through the command line and that the terminal is back to the shell with nothing printed.
"""

from __future__ import annotations

import json
import re

import tui_world as world
from e2e_terminal import PROMPT

COMMAND = f"solvereign --db cockpit.duckdb --now {world.NOW}"
EXIT = "__EXIT="


def quit_and_check_terminal(term, command: str) -> None:
    """q; the app leaves the alternate screen; the shell shows the command, its exit code
    0, a fresh prompt, and nothing in between (nothing reached stdout, no traceback)."""
    term.keys("q")
    screen = term.wait_for(lambda s: f"{EXIT}0" in s and s.rstrip().endswith(PROMPT.strip()), "the shell after quit")
    lines = screen.rstrip().splitlines()
    typed = max(i for i, line in enumerate(lines) if command in line)
    code = max(i for i, line in enumerate(lines) if line.startswith(f"{EXIT}"))
    assert [line for line in lines[typed + 1:code] if line.strip()] == [], screen
    assert "solvereign ·" not in screen and "Traceback" not in screen, screen


def start(term, *options: str) -> str:
    command = " ".join([COMMAND, *options])
    term.run(f"{command}; echo {EXIT}$?")
    term.wait_for(lambda s: "dana (dispatcher)" in s and "AUDITED" in s, "the runs list")
    return command


def test_open_publish_quit_then_the_cli_sees_it(terminal, store):
    term = terminal("dana")
    command = start(term)
    screen = term.screen()
    assert re.search(r"^\s*3\s+2026-01-05\s+graz\s+AUDITED", screen, re.M), screen

    term.keys("Down", "Enter")  # run 2
    term.wait_for("run 2 · graz · week of 2026-01-05 · v1 · AUDITED", "the review of run 2")
    term.keys("P")
    term.wait_for("Publish the plan — run 2", "the reason dialog")
    term.type("checked in tmux")
    term.wait_for("ready: enter confirms", "the reason to be accepted")
    term.keys("Enter")
    term.wait_for(lambda s: "Publish the plan" not in s and "· PUBLISHED ·" in s, "the published review")
    quit_and_check_terminal(term, command)

    shown = json.loads(world.cli(store, "show-run", "2", "--json", login="olga").stdout)
    assert shown["run"]["state"] == "PUBLISHED"
    log = json.loads(world.cli(store, "log", "2", "--json", login="olga").stdout)["records"]
    published = [r for r in log if r["action"] == "publish"]
    assert [(r["actor"], r["role"], r["from_state"], r["to_state"], r["reason"]) for r in published] == [
        ("dana", "dispatcher", "AUDITED", "PUBLISHED", "checked in tmux")
    ]


def sgr_params(screen: str) -> list[list[int]]:
    """The parameters of every SGR escape (ESC [ … m) on the screen."""
    return [[int(p) for p in seq.split(";") if p] for seq in re.findall(r"\x1b\[([0-9;]*)m", screen)]


def _grey(n: int) -> bool:
    """Is colour n of the xterm 256-colour palette a grey (no hue)?"""
    if n < 16:
        return n in (0, 7, 8, 15)
    if n >= 232:
        return True
    r, g, b = (n - 16) // 36, (n - 16) // 6 % 6, (n - 16) % 6
    return r == g == b


def test_no_color(terminal):
    term = terminal("dana", NO_COLOR="1")
    command = start(term)
    screen = term.screen(escapes=True)
    palette = {p[i + 2] for p in sgr_params(screen) for i, n in enumerate(p[:-2]) if n in (38, 48) and p[i + 1] == 5}
    assert palette and all(_grey(n) for n in palette), sorted(palette)  # Textual's NO_COLOR: monochrome
    assert not re.search(r"[34]8;2;", screen)
    quit_and_check_terminal(term, command)


def test_ansi_theme(terminal):
    term = terminal("dana")
    command = start(term, "--theme", "ansi-dark")
    params = sgr_params(term.screen(escapes=True))
    extended = [p for p in params if 38 in p or 48 in p]
    basic = {n for p in params for n in p if 30 <= n <= 37 or 40 <= n <= 47 or 90 <= n <= 97 or 100 <= n <= 107}
    assert extended == [] and basic, (extended[:5], sorted(basic))  # the terminal's own 16 colours only
    quit_and_check_terminal(term, command)


def test_a_reason_typed_into_a_disabled_action_runs_nothing(terminal, store):
    """P on a LOCKED plan: one line says why; "new forecast 1385 tours" typed next runs no command
    (e would export, o sort, s open the solve screen)."""
    for action in ("publish", "lock"):
        done = world.cli(store, action, "2", "--reason", world.REASON)
        assert done.returncode == 0, done.stderr
    log_before = world.cli(store, "log", "2", "--json").stdout
    files_before = sorted(p.name for p in store.parent.iterdir())
    term = terminal("dana")
    command = start(term)
    term.keys("Down", "Enter")
    term.wait_for("run 2 · graz · week of 2026-01-05 · v1 · LOCKED", "the review of the locked run")
    term.keys("P")
    term.wait_for(lambda s: "P Publish: not possible now" in s and "✗ plan is LOCKED; publish needs AUDITED" in s,
                  "the notice saying why P is disabled")
    term.type("new forecast 1385 tours")
    term.keys("Enter")
    screen = term.wait_for(lambda s: "not possible now" not in s, "the notice to close")
    assert "run 2 · graz · week of 2026-01-05 · v1 · LOCKED" in screen, screen
    assert "Solve a forecast" not in screen and "exported" not in screen and "sorted by" not in screen, screen
    quit_and_check_terminal(term, command)
    assert sorted(p.name for p in store.parent.iterdir()) == files_before  # no export written
    assert world.cli(store, "log", "2", "--json").stdout == log_before


def test_a_viennese_locale_opens_the_cockpit_in_german(terminal):
    """LANG=de_AT.UTF-8 and nothing else: a real terminal shows the cockpit in German, and a
    disabled key says why in German."""
    term = terminal("dana", LANG="de_AT.UTF-8", LC_ALL="")
    command = COMMAND
    term.run(f"{command}; echo {EXIT}$?")
    screen = term.wait_for(lambda s: "▸1 Läufe" in s and "AUDITED" in s, "the German runs list")
    assert "P Freigeben" in screen and "lesen-schreiben" in screen, screen
    term.keys("P")
    term.wait_for("kein Lauf offen: einen in Läufe (1) wählen und enter drücken", "the German notice")
    term.keys("Escape")
    term.wait_for(lambda s: "jetzt nicht möglich" not in s, "the notice closed")
    quit_and_check_terminal(term, command)
