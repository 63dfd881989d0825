"""`--lang de|en`, SOLVEREIGN_LANG and the locale: the same commands, the same exit codes, in German.

In this process through `main` (the language is chosen anew on every call), and once through the
installed command with only a German locale in its environment.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from ops_world import ADMIN, DISPATCHER, ROLE_LOGINS, SOLVEREIGN, cli, subprocess_env

from testdata import FIXTURES

BROKEN = ["validate", str(FIXTURES / "broken_lines.txt"), "--tenant", "demo", "--site", "wien", "--anchor", "2026-01-05"]


def test_status_speaks_german_with_the_same_exit_code(world):
    en = cli(world.db, "--lang", "en", "status", login=DISPATCHER)
    de = cli(world.db, "--lang", "de", "status", login=DISPATCHER)
    assert en.code == de.code == 0
    assert en.out.startswith("user dora (dispatcher) · tenant acme")
    assert de.out.startswith("Benutzer dora (dispatcher) · Mandant acme · Standorte wien")
    assert "Notaus aus" in de.out and "Woche" in de.out  # the kill switch line and the runs' heading


def test_validate_of_a_bad_file_in_german(capsys):
    from app.cli import main

    assert main(["--lang", "de", *BROKEN]) == 2
    out = capsys.readouterr().out
    assert "Regel   Status  Anzahl  Prüfung" in out and "mindestens eine Tour" in out
    assert "HG-007 FAIL: 3 Befund(e)" in out  # gate codes and verdicts stay as they are
    assert "    Zeile 2: [MISSING_DAY] " in out  # where a finding is; its own words are the engine's (English)

    assert main(BROKEN) == 2 and "gate    status  count  check" in capsys.readouterr().out


def test_a_refusal_in_german_keeps_its_exit_code(world):
    run = str(world.runs["clean"])
    en = cli(world.db, "publish", run, "--reason", "weekly approval ok", login=ROLE_LOGINS["viewer"])
    de = cli(world.db, "--lang", "de", "publish", run, "--reason", "weekly approval ok", login=ROLE_LOGINS["viewer"])
    assert en.code == de.code == 2
    assert en.error_line.startswith("error: blocked: role viewer may not publish")
    assert de.error_line.startswith("Fehler: gesperrt: Rolle viewer darf nicht freigeben (nötig: ")
    short = cli(world.db, "--lang", "de", "publish", run, "--reason", "kurz", login=ADMIN)
    assert short.code == 2 and "mindestens 10 sichtbare Zeichen" in short.error_line


def test_json_stays_language_neutral(world):
    en = cli(world.db, "status", "--json", login=DISPATCHER)
    de = cli(world.db, "--lang", "de", "status", "--json", login=DISPATCHER)
    assert en.code == de.code == 0 and de.json == en.json
    run = str(world.runs["clean"])
    refused = cli(world.db, "--lang", "de", "show-run", run, "--json", login=DISPATCHER)
    assert json.loads(refused.out)["actions"] == cli(world.db, "show-run", run, "--json", login=DISPATCHER).json["actions"]


@pytest.mark.parametrize(("argv", "said"), [
    (["--lang", "xx", "status"], "--lang 'xx': unknown language (choose from en, de)"),
    (["--lang=fr", "status"], "--lang 'fr': unknown language"),
    (["status", "--lang"], "--lang needs a language"),
])
def test_an_unknown_language_is_a_usage_error(world, argv, said):
    r = cli(world.db, *argv, login=DISPATCHER)
    assert r.code == 2 and r.error_line.startswith(f"solvereign: error: {said}") and not r.out


def test_solvereign_lang_and_the_locale_choose_german(world, monkeypatch):
    monkeypatch.setenv("SOLVEREIGN_LANG", "de")
    assert cli(world.db, "status", login=DISPATCHER).out.startswith("Benutzer dora")
    monkeypatch.delenv("SOLVEREIGN_LANG")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "de_AT.UTF-8")
    assert cli(world.db, "status", login=DISPATCHER).out.startswith("Benutzer dora")
    assert cli(world.db, "--lang", "en", "status", login=DISPATCHER).out.startswith("user dora")  # the flag wins
    monkeypatch.setenv("SOLVEREIGN_LANG", "xx")
    r = cli(world.db, "status", login=DISPATCHER)
    assert r.code == 2 and "SOLVEREIGN_LANG 'xx': unknown language" in r.error_line


def test_the_installed_command_reads_the_locale():
    """A real process with a Viennese locale and no SOLVEREIGN_LANG: its usage errors and messages are German."""
    env = {k: v for k, v in subprocess_env().items() if k not in ("SOLVEREIGN_LANG", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "de_AT.UTF-8"
    proc = subprocess.run([str(SOLVEREIGN), "validate", "/missing/forecast.csv"], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stdout.strip() == "/missing/forecast.csv: ✖ FAIL — Grund: /missing/forecast.csv kann nicht gelesen werden: " \
                                  "No such file or directory"
    usage = subprocess.run([str(SOLVEREIGN), "list-runs", "--state", "X"], capture_output=True, text=True, env=env, timeout=60,
                           check=False)
    assert usage.returncode == 2 and "Fehler: Argument --state: ungültige Wahl: 'X'" in usage.stderr
