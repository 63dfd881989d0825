"""Errors a user can cause end in one line on stderr and the documented exit code
(1 failed/not found/invalid, 2 blocked), never a traceback, and leave the store unchanged.
"""

from __future__ import annotations

import json

import pytest

from ops_world import (
    ADMIN,
    DISPATCHER,
    LOCK_REASON,
    REASON,
    SITE,
    TENANT,
    WEEK_C,
    World,
    cli,
    run_solvereign,
    snapshot,
    write,
)


@pytest.fixture(scope="module")
def guarded(world: World):
    before = snapshot(world.db)
    yield world
    assert snapshot(world.db) == before, "a refused command changed the store"


@pytest.fixture
def unchanged(guarded: World) -> World:
    """The module's shared copy; the module fixture compares every view of it before and after."""
    return guarded


def one_line(r, code: int, *words: str) -> str:
    assert r.code == code, r
    line = r.error_line
    assert line.startswith("error: "), line
    for word in words:
        assert word in line, line
    return line


# --- import ----------------------------------------------------------------------------------


def test_failing_file_is_refused_and_nothing_stored(unchanged: World, tmp_path):
    w = unchanged
    r = cli(w.db, "import", str(w.files["fail"]), "--anchor", WEEK_C, login=DISPATCHER)
    assert r.code == 2, r
    assert "FAIL" in r.out and "nothing stored" in r.out and "Traceback" not in r.err
    doc = cli(w.db, "import", str(w.files["fail"]), "--anchor", WEEK_C, "--json", login=DISPATCHER)
    assert doc.code == 2 and doc.json["forecast_id"] is None and doc.json["status"] == "FAIL"


@pytest.mark.parametrize(
    ("content", "anchor"),
    [
        (b"", WEEK_C),
        (b"\x00\xff\x00\xfe" * 20, WEEK_C),
        ("Montag;Anzahl\n06:00-10:30;2\n;\n".encode(), "2026-01-20"),  # not a Monday
        ("Montag;Anzahl\n06:00-10:30;2\n;\n".encode(), "someday"),
        ("Montag;Anzahl\n06:00-10:30;2\n;\n".encode(), None),  # no anchor at all
    ],
)
def test_bad_files_and_anchors_fail_with_exit_2(unchanged: World, tmp_path, content, anchor):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    args = ["import", str(path), "--json"] + (["--anchor", anchor] if anchor else [])
    r = cli(unchanged.db, *args, login=DISPATCHER)
    assert r.code == 2, r
    assert r.json["status"] == "FAIL" and r.json["forecast_id"] is None and r.err == ""


def test_missing_file_fails_like_validate(unchanged: World, tmp_path):
    missing = tmp_path / "nope.csv"
    r = cli(unchanged.db, "import", str(missing), "--json", login=DISPATCHER)
    v = cli(None, "validate", str(missing), "--json", login=DISPATCHER)
    assert r.code == v.code == 2, (r, v)
    assert r.json["status"] == "FAIL" and "cannot read" in r.json["error"] and r.json["forecast_id"] is None


def test_reimport_of_the_same_content_returns_the_same_id(unchanged: World, tmp_path):
    w = unchanged
    copy = write(tmp_path / "same_week_other_name.csv", w.files["clean_a"].read_text())
    r = cli(w.db, "import", str(copy), "--anchor", "2026-01-05", "--json", login=DISPATCHER)
    assert r.code == 0 and r.json["forecast_id"] == w.forecasts["clean_a"] and r.json["created"] is False
    text = cli(w.db, "import", str(copy), "--anchor", "2026-01-05", login=DISPATCHER).out
    assert f"already stored as forecast {w.forecasts['clean_a']}" in text


def test_import_warn_exits_1_and_is_stored(fresh_world: World, tmp_path):
    w = fresh_world
    path = write(tmp_path / "warn.json", json.dumps({"tenant_code": TENANT, "site_code": SITE, "week_anchor_date": "2026-02-02",
                                                      "tours": [{"external_id": "A", "day": 1, "start_time": "06:00",
                                                                 "end_time": "10:30"}]}))
    r = cli(w.db, "import", str(path), "--json", login=DISPATCHER)
    assert r.code == 1 and r.json["status"] == "WARN" and r.json["created"] is True
    ids = [f["id"] for f in cli(w.db, "forecasts", "--json", login=DISPATCHER).json["forecasts"]]
    assert r.json["forecast_id"] in ids


def test_import_needs_site_when_user_has_several(unchanged: World):
    # nothing stored: exit 2 (never 1, which is import's "stored with warnings")
    one_line(cli(unchanged.db, "import", str(unchanged.files["fresh"]), "--anchor", WEEK_C, login=ADMIN), 2, "--site")


# --- unknown ids, bad options ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("show-run", "424242"),
        ("show-run", "424242", "--json"),
        ("log", "424242"),
        ("publish", "424242", "--reason", REASON),
        ("reject", "424242", "--reason", REASON),
        ("lock", "424242", "--reason", LOCK_REASON),
    ],
)
def test_unknown_run_id(unchanged: World, args):
    r = cli(unchanged.db, *args, login=DISPATCHER)
    one_line(r, 1, "plan 424242 not found")
    assert r.out == ""


def test_unknown_forecast_id(unchanged: World):
    from ops_world import solve

    r = solve(unchanged.db, 424242, login=DISPATCHER)
    one_line(r, 1, "forecast 424242 not found")


@pytest.mark.parametrize("week", ["2026-13-01", "next week", "05.01.2026", ""])
def test_bad_week(unchanged: World, week: str):
    one_line(cli(unchanged.db, "list-runs", "--week", week, login=DISPATCHER), 1, "--week", "YYYY-MM-DD")


@pytest.mark.parametrize(
    ("now", "args"),
    [("garbage", ("list-runs",)), ("2026-02-30T10:00", ("status",)), ("tomorrow", ("publish", "1", "--reason", REASON)),
     ("12:00", ("lock", "2", "--reason", LOCK_REASON)), ("2026-01-01 25:00", ("kill-switch", "on", "--reason", "incident 4711 drill")),
     ("garbage", ("import", "x.csv"))],
)
def test_bad_now(unchanged: World, now: str, args):
    r = cli(unchanged.db, *args, login=ADMIN, now=now)
    one_line(r, 2 if args[0] == "import" else 1, "--now", "ISO")  # import: nothing stored is 2


def test_bad_now_from_the_environment(unchanged: World, monkeypatch):
    monkeypatch.setenv("SOLVEREIGN_NOW", "not-a-time")
    one_line(cli(unchanged.db, "status", login=DISPATCHER, now=None), 1, "--now")


def test_bad_codes_and_roles(unchanged: World):
    one_line(cli(unchanged.db, "sites", "enable", "Bad Site!", "--reason", "new depot goes live", login=ADMIN), 1, "site")
    r = cli(unchanged.db, "users", "add", "neo", "--role", "boss", "--tenant", TENANT, "--sites", SITE, login=ADMIN)
    assert r.code == 2 and "invalid choice" in r.err  # argparse usage error
    one_line(cli(unchanged.db, "users", "add", "neo", "--role", "viewer", "--tenant", TENANT, "--sites", "mars",
                 login=ADMIN), 1, "site mars not found")
    one_line(cli(unchanged.db, "users", "add", "neo", "--role", "viewer", "--tenant", TENANT, "--sites", " , ",
                 login=ADMIN), 1, "--sites")
    one_line(cli(unchanged.db, "users", "remove", "ghost", login=ADMIN), 1, "not found")


# --- the store itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("list-runs",), ("forecasts",), ("show-run", "1"), ("log",), ("log", "--verify"), ("status",),
     ("publish", "1", "--reason", REASON), ("lock", "1", "--reason", LOCK_REASON), ("import", "x.csv"),
     ("users", "list"), ("sites", "list"), ("kill-switch", "on", "--reason", "incident 4711 drill")],
)
def test_missing_store(tmp_path, args):
    db = tmp_path / "sub" / "none.duckdb"
    r = cli(db, *args, login=DISPATCHER)
    one_line(r, 2 if args[0] == "import" else 1, "no store at", "solvereign init")
    assert not db.exists() and not db.parent.exists(), "a read must not create the store"


def test_missing_store_from_the_environment(tmp_path, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("SOLVEREIGN_DB", str(db))
    one_line(cli(None, "status", login=DISPATCHER), 1, str(db))
    assert not db.exists()


def test_a_file_that_is_not_a_store(tmp_path):
    path = write(tmp_path / "week.csv", "Montag;Anzahl\n06:00-10:30;2\n;\n")
    before = path.read_bytes()
    one_line(cli(path, "list-runs", login=DISPATCHER), 1)
    assert path.read_bytes() == before
    one_line(cli(tmp_path, "status", login=DISPATCHER), 1)  # a directory


def test_init_refuses_bad_codes_and_foreign_logins(tmp_path, unchanged: World):
    db = tmp_path / "new.duckdb"
    one_line(cli(db, "init", "--tenant", "A", "--site", SITE, login=ADMIN), 1, "tenant")
    one_line(cli(db, "init", "--tenant", TENANT, "--site", "x", login=ADMIN), 1, "site")
    assert not db.exists()
    # a login of tenant acme cannot become admin of another tenant in the same store
    one_line(cli(unchanged.db, "init", "--tenant", "third", "--site", SITE, login=DISPATCHER), 2, "not one of its platform admins")
    # nor can its admin join one: a new tenant gets an admin of its own
    one_line(cli(unchanged.db, "init", "--tenant", "third", "--site", SITE, login=ADMIN), 1, "--admin LOGIN")


# --- through the installed command: one line, no traceback ------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--now", "garbage", "show-run", "424242"), 1, ("--now",)),
        (("show-run", "424242"), 1, ("plan 424242 not found",)),
        (("publish", "1", "--reason", "short"), 2, ("at least 10 visible characters",)),
    ],
)
def test_errors_through_the_installed_command(unchanged: World, args, code, words):
    r = run_solvereign(unchanged.db, *args, login=DISPATCHER, now=None)
    one_line(r, code, *words)
    assert r.out == ""


def test_missing_store_through_the_installed_command(tmp_path):
    db = tmp_path / "none.duckdb"
    r = run_solvereign(db, "list-runs", login=DISPATCHER)
    one_line(r, 1, "no store at", "solvereign init")
    assert not db.exists()


@pytest.mark.parametrize("args", [("status",), ()])  # () opens the cockpit: it must fail before starting
def test_unreadable_config_file(unchanged: World, tmp_path, monkeypatch, args):
    config = write(tmp_path / "config.toml", "db = [broken\n")
    monkeypatch.setenv("SOLVEREIGN_CONFIG", str(config))
    db = None if args else unchanged.db
    one_line(cli(db, *args, login=DISPATCHER), 1, "config file", "unreadable")
