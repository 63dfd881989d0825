"""Remote mode: the same CLI commands through a real loopback server print the same and exit the same."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from live_server import client, free_port, live_server, mint_key
from ops_world import (
    ADMIN, DISPATCHER, GRAZ_USER, LOCK_REASON, OPS_LEAD, REASON, SHARED_DIR, SOLVEREIGN, World, cli, clone_store, subprocess_env,
    write,
)
from testdata import FIXTURES

ROSTER_CSV = FIXTURES / "roster_wien.csv"

READS = (("list-runs", "--json"), ("list-runs",), ("status",), ("status", "--json"), ("log",), ("log", "--json"),
         ("log", "--verify"), ("log", "--verify", "--json"))


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOLVEREIGN_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("SOLVEREIGN_API", raising=False)
    monkeypatch.delenv("SOLVEREIGN_API_KEY", raising=False)


def remote(url: str, *args: str, login: str = DISPATCHER) -> object:
    return cli(None, "--api", url, *args, login=login, now=None)


def test_reads_and_show_run_match_local_mode(fresh_world: World, api_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    w = fresh_world
    monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, DISPATCHER))
    with live_server(w.db) as url:
        for args in (*READS, ("show-run", str(w.runs["clean"])), ("show-run", str(w.runs["kpi_alert"]), "--drivers"),
                     ("log", str(w.runs["published"])), ("drivers", "list", "--json"), ("forecasts",), ("forecasts", "--json"),
                     ("forecasts", "--diff", str(w.forecasts["clean_a"]), str(w.forecasts["kpi_alert"])),
                     ("forecasts", "--diff", str(w.forecasts["clean_a"]), str(w.forecasts["clean_b"])),
                     ("diff", str(w.runs["clean"]), str(w.runs["kpi_alert"])), ("diff", str(w.runs["clean"]), "999999")):
            local = cli(w.db, *args, login=DISPATCHER, now=None)
            over = remote(url, *args)
            assert (over.code, over.out, over.err) == (local.code, local.out, local.err), args


def test_decisions_and_refusals_exit_as_locally(fresh_world: World, api_key: None, monkeypatch: pytest.MonkeyPatch) -> None:
    w = fresh_world
    monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, DISPATCHER))
    run = str(w.runs["clean"])
    with live_server(w.db) as url:
        blocked = remote(url, "lock", run, "--reason", LOCK_REASON)  # AUDITED: a gate
        assert blocked.code == 2 and blocked.error_line == "error: blocked: plan is AUDITED; lock needs PUBLISHED"
        missing = remote(url, "publish", "999999", "--reason", REASON)
        assert missing.code == 1 and missing.error_line == "error: plan 999999 not found"
        published = remote(url, "publish", run, "--reason", REASON)
        assert published.code == 0 and published.out == f"plan {run} published (AUDITED → PUBLISHED)\n"
        locked = remote(url, "lock", run, "--reason", LOCK_REASON)
        assert locked.code == 0 and locked.out.startswith(f"plan {run} locked (PUBLISHED → LOCKED)")
        again = remote(url, "lock", run, "--reason", LOCK_REASON)
        assert again.code == 0 and f"plan {run} is already LOCKED by {DISPATCHER} at" in again.out
        monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, GRAZ_USER))
        other_site = remote(url, "show-run", run, login=GRAZ_USER)
        assert other_site.code == 1 and other_site.error_line == f"error: plan {run} not found"


def test_unreachable_server_bad_key_and_local_only_commands(fresh_world: World, api_key: None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLVEREIGN_API_KEY", "sv_wrong")
    down = remote(f"http://127.0.0.1:{free_port()}", "list-runs")
    assert down.code == 1 and "is unreachable" in down.error_line and "solvereign serve" in down.error_line
    with live_server(fresh_world.db) as url:
        bad = remote(url, "list-runs")
        assert bad.code == 2 and bad.error_line == "error: invalid API key"
    assert remote("http://127.0.0.1:1", "--now", "2026-01-01T00:00", "status").code == 2


def test_key_in_the_config_file_only_when_it_is_0600(fresh_world: World, api_key: None, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("SOLVEREIGN_CONFIG", str(config))
    with live_server(fresh_world.db) as url:
        config.write_text(f'api = "{url}"\napi_key = "{mint_key(fresh_world.db, DISPATCHER)}"\n', encoding="utf-8")
        os.chmod(config, 0o644)
        wide = cli(None, "status", login=DISPATCHER, now=None)
        assert wide.code == 2 and "readable by others (mode 644)" in wide.error_line
        os.chmod(config, 0o600)
        ok = cli(None, "status", "--json", login=DISPATCHER, now=None)
        assert ok.code == 0 and ok.json["login"] == DISPATCHER


def _masked(text: str) -> str:
    """Timings differ between two runs of the same thing."""
    return re.sub(r"\d+\.\d+ s\b", "N s", text)


def test_repair_undo_evidence_admin_drivers_match_local_mode(fresh_world: World, api_key: None, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The same commands on two copies of one store: locally on one, through the server on the other."""
    w = fresh_world
    twin = clone_store(w.db, tmp_path / "twin.duckdb")
    run = str(w.runs["clean"])
    driver = "DRIVER"
    repair = ("repair", run, "--absent", driver, "--reason", "Sick call from the depot", "--time-limit", "3")
    steps = [
        (DISPATCHER, (*repair, "--preview")), (DISPATCHER, repair), (DISPATCHER, ("undo", "NEW")),
        (DISPATCHER, ("undo", run)), (DISPATCHER, ("repair", "999999", "--absent", driver, "--reason", "Sick call again")),
        (DISPATCHER, ("drivers", "list")), (DISPATCHER, ("drivers", "show", "nobody")),
        (DISPATCHER, ("users", "list")), (DISPATCHER, ("users", "add", "newbie", "--role", "viewer", "--tenant", "acme",
                                                       "--sites", "wien")),
        (ADMIN, ("users", "add", "newbie", "--role", "viewer", "--tenant", "acme", "--sites", "wien")),
        (ADMIN, ("users", "remove", "newbie")), (ADMIN, ("sites", "disable", "graz", "--reason", "depot closed")),
        (ADMIN, ("sites", "list")), (ADMIN, ("kill-switch", "on", "--reason", "x")),
        (DISPATCHER, ("evidence", str(w.runs["published"]), "--out", "PACK")),
    ]
    keys = {login: mint_key(w.db, login) for login in (DISPATCHER, ADMIN)}
    local_pack, remote_pack = tmp_path / "local.zip", tmp_path / "remote.zip"
    with live_server(w.db) as url:
        with client(url, keys[DISPATCHER]) as c:
            words = {"DRIVER": c.get(f"/api/v1/plans/{run}/schedules").json()["drivers"][0]["driver_id"]}
        for login, args in steps:
            monkeypatch.setenv("SOLVEREIGN_API_KEY", keys[login])
            local = cli(twin, *[str(local_pack) if a == "PACK" else words.get(a, a) for a in args], login=login)  # the server's clock
            over = remote(url, *[str(remote_pack) if a == "PACK" else words.get(a, a) for a in args], login=login)
            if new := re.search(r"solvereign undo (\d+)", local.out):
                words["NEW"] = new.group(1)
            assert over.code == local.code, (args, local, over)
            assert _masked(over.out.replace(str(remote_pack), "PACK")) == _masked(local.out.replace(str(local_pack), "PACK")), args
            assert over.err == local.err, args
        assert remote_pack.read_bytes() == local_pack.read_bytes()
        for target in (local_pack, tmp_path / "not-there.zip"):
            local = cli(twin, "evidence", "verify", str(target), login=DISPATCHER, now=None)
            over = remote(url, "evidence", "verify", str(target))
            assert (over.code, over.out, over.err) == (local.code, local.out, local.err)
        recorded = remote(url, "evidence", str(w.runs["published"]))
        assert recorded.code == 0 and recorded.out.startswith(f"evidence pack of run {w.runs['published']}: ")
        drill = remote(url, "drill", "break-glass", "--run", run)
        assert drill.code in (0, 1, 2) and drill.out.startswith(f"drill break-glass on plan {run}")
        listed = remote(url, "drill", "list", "--json")
        assert listed.code == 0 and [d["drill"] for d in listed.json["drills"]] == ["break-glass"]


def test_commands_that_cannot_work_remotely_say_so(api_key: None) -> None:
    for args, word in ((("serve",), "serve"), (("store", "copy", "--from", "a", "--to", "b"), "store"), (("demo",), "demo")):
        r = remote("http://127.0.0.1:1", *args)
        assert r.code == 2 and r.error_line == f"error: '{word}' works on the store's host only; run it there without --api"
    r = remote("http://127.0.0.1:1", "runs", "fail", "7", "--reason", REASON)
    assert r.code == 2 and r.error_line == "error: 'runs' works on the store's host only; run it there without --api"


def test_import_prints_the_same_report_and_exits_the_same(fresh_world: World, api_key: None, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    w = fresh_world
    twin = clone_store(w.db, tmp_path / "twin.duckdb")
    fresh = w.files["fresh"]
    cases = [
        ("import", str(fresh), "--anchor", "2026-03-02"), ("import", str(fresh), "--anchor", "2026-03-02"),  # then: already stored
        ("import", str(w.files["fail"])), ("import", str(tmp_path / "missing.csv")),
        ("import", str(w.files["warn_c"]), "--json"), ("import", str(fresh), "--tenant", "rival"),
        ("import", str(fresh), "--anchor", "2026-03-03"),
    ]
    monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, DISPATCHER))
    codes = []
    with live_server(w.db) as url:
        for args in cases:
            local = cli(twin, *args, login=DISPATCHER)
            over = remote(url, *args)
            assert (over.code, over.out, over.err) == (local.code, local.out, local.err), args
            codes.append(over.code)
    assert codes == [0, 0, 2, 2, 1, 2, 2]  # PASS, already stored, FAIL, unreadable, WARN, other tenant, wrong anchor


def _states(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines() if line.strip().startswith("state ")]


def test_solve_follows_the_server_and_prints_as_locally(fresh_world: World, api_key: None, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    w = fresh_world
    twin = clone_store(w.db, tmp_path / "twin.duckdb")
    monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, DISPATCHER))
    solve = ("solve", "--forecast", str(w.forecasts["clean_a"]), "--time-limit", "3")
    with live_server(w.db) as url:
        for args in (solve, (*solve, "--json"), ("solve", "--forecast", "999999")):
            local = cli(twin, *args, login=DISPATCHER)
            over = remote(url, *args)
            assert (over.code, over.out) == (local.code, local.out), args
            assert _states(over.err) == _states(local.err), args
        assert _states(over.err) == [] and over.error_line == local.error_line == "error: forecast 999999 not found"
        first = remote(url, *solve)
        assert _states(first.err) == ["state QUEUED", "state SOLVING", "state SOLVED", "state AUDITING", "state AUDITED"]
        assert "identical to run" in first.out  # the same plan again, said as locally
        assert any("best" in line for line in first.err.splitlines())  # heartbeats over SSE
        monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, "vera"))
        viewer = remote(url, *solve, login="vera")
        assert viewer.code == cli(twin, *solve, login="vera").code == 2


def test_ctrl_c_cancels_the_remote_solve_and_exits_130(fresh_world: World, api_key: None) -> None:
    """A real solve of the Vienna week (long enough to interrupt), followed by a real `solvereign` process."""
    wien = SHARED_DIR / "wien_week_1385.csv"
    if not wien.is_file():
        pytest.skip(f"{wien} not present")
    w = fresh_world
    imported = cli(w.db, "import", str(wien), "--anchor", "2026-03-02", "--json", login=DISPATCHER)
    assert imported.code == 0, imported
    forecast = str(imported.json["forecast_id"])
    key = mint_key(w.db, DISPATCHER)
    with live_server(w.db) as url:
        proc = subprocess.Popen([str(SOLVEREIGN), "--api", url, "solve", "--forecast", forecast, "--time-limit", "120"],
                                env=subprocess_env() | {"SOLVEREIGN_API_KEY": key}, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "state QUEUED" in line:  # before the solver's first plan (starting its process alone takes a second)
                break
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == 130, seen + [rest]
        assert rest.strip().splitlines()[-1] == "error: interrupted"
        with client(url, key) as c:
            deadline = time.monotonic() + 60
            while True:
                runs = c.get("/api/v1/plans", params={"limit": 500}).json()["plans"]
                run = next(r for r in runs if str(r["forecast_id"]) == forecast)
                if run["state"] not in ("QUEUED", "SOLVING", "SOLVED", "AUDITING") or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        # the engine stops at its next check and keeps the best plan so far, well before its 120 s
        assert time.monotonic() < deadline
        assert (run["state"], run["kpis"].get("solver_status")) == ("AUDITED", "STOPPED"), run


def test_drivers_import_stores_or_lists_every_problem_as_locally(fresh_world: World, api_key: None, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    w = fresh_world
    twin = clone_store(w.db, tmp_path / "twin.duckdb")
    bad = write(tmp_path / "bad.csv", "external_id,name,max_hours_week,contract_type\nDRV-5,Eve,60,full_time\n"
                                      "DRV-6,Fay,40,sometimes\n")
    cases = [("drivers", "import", str(ROSTER_CSV)), ("drivers", "import", str(ROSTER_CSV), "--json"),
             ("drivers", "import", str(bad)), ("drivers", "import", str(bad), "--json"),
             ("drivers", "import", str(tmp_path / "missing.csv")), ("drivers", "list"),
             ("drivers", "remove", "DRV-1", "--site", "wien", "--reason", "left the company"),
             ("drivers", "remove", "DRV-1", "--site", "wien", "--reason", "left the company"), ("drivers", "show", "DRV-2")]
    monkeypatch.setenv("SOLVEREIGN_API_KEY", mint_key(w.db, DISPATCHER))
    codes = []
    with live_server(w.db) as url:
        for args in cases:
            local = cli(twin, *args, login=DISPATCHER)
            over = remote(url, *args)
            assert (over.code, over.out, over.err) == (local.code, local.out, local.err), args
            codes.append(over.code)
    assert codes == [0, 0, 2, 2, 2, 0, 0, 1, 0]


def _side_by_side(w: World, twin: Path, url: str, steps: list[tuple[str, tuple[str, ...]]], keys: dict[str, str],
                  monkeypatch: pytest.MonkeyPatch, words: dict[str, str]) -> list[int]:
    """Each step locally on `twin` and through the server on `w.db`: the same output, errors and exit code."""
    codes = []
    for login, args in steps:
        monkeypatch.setenv("SOLVEREIGN_API_KEY", keys[login])
        args = tuple(words.get(a, a) for a in args)
        local = cli(twin, *args, login=login)  # NOW_OPEN: the server's clock
        over = remote(url, *args, login=login)
        assert (over.code, _masked(over.out), over.err) == (local.code, _masked(local.out), local.err), (args, local, over)
        codes.append(over.code)
    return codes


def test_edit_pin_freeze_and_baseline_solve_match_local_mode(fresh_world: World, api_key: None, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    w = fresh_world
    twin = clone_store(w.db, tmp_path / "twin.duckdb")
    run = str(w.runs["clean"])
    keys = {login: mint_key(w.db, login) for login in (DISPATCHER, ADMIN, GRAZ_USER, "vera")}
    weeks = cli(w.db, "show-run", run, "--drivers", "--json", login=DISPATCHER).json["drivers"]
    first, second = weeks[0], weeks[1]
    day, block = next(iter(first["blocks"].items()))
    instance = block["instances"][0]
    last = first["blocks"][max(first["blocks"], key=int)]["instances"][-1]
    words = {"INST": instance, "LAST": last, "A": first["driver_id"], "B": second["driver_id"], "AB": f"{first['driver_id']},{second['driver_id']}"}
    why = ("--reason", "hand edit asked by the depot")
    steps = [
        (DISPATCHER, ("freeze", run)), (DISPATCHER, ("freeze", run, "--json")), (DISPATCHER, ("freeze",)),
        (DISPATCHER, ("freeze", "999999")), (DISPATCHER, ("freeze", "--set-horizon", "600", "--reason", "a shorter window")),
        (ADMIN, ("freeze", "--set-horizon", "600", "--site", "wien", "--reason", "a shorter window")),
        (ADMIN, ("freeze", "--set-horizon", "-5", "--site", "wien", "--reason", "a shorter window")),
        (DISPATCHER, ("freeze", "--site", "graz")), (GRAZ_USER, ("freeze", run)),
        (DISPATCHER, ("pin", run, "INST", "--reason", "keep this tour fixed")), (DISPATCHER, ("pin", run, "INST", "--json")),
        (DISPATCHER, ("edit", run, "--move", "INST", "--to", "B", *why)),  # pinned: refused
        (DISPATCHER, ("unpin", run, "INST")), (DISPATCHER, ("pin", "999999", "INST")), ("vera", ("pin", run, "INST")),
        (DISPATCHER, ("edit", run, "--move", "INST", "--to", "B", *why)),  # breaks a rule
        (DISPATCHER, ("edit", run, "--move", "LAST", "--to", "S-NEW", *why, "--preview")),
        (DISPATCHER, ("edit", run, "--move", "LAST", "--to", "S-NEW", *why, "--json")),
        (DISPATCHER, ("edit", run, "--move", "INST", "--to", "A", *why)),  # no change
        (DISPATCHER, ("edit", run, "--move", "NOT-AN-INSTANCE", "--to", "B", *why)),
        (DISPATCHER, ("edit", run, "--swap", "AB", "--day", day, *why)), (DISPATCHER, ("edit", "999999", "--swap", "AB", *why)),
        ("vera", ("edit", run, "--move", "INST", "--to", "B", *why)), (GRAZ_USER, ("edit", run, "--move", "INST", "--to", "B", *why)),
        (DISPATCHER, ("solve", "--forecast", str(w.forecasts["clean_a"]), "--baseline", run, "--time-limit", "3")),
        (DISPATCHER, ("solve", "--forecast", str(w.forecasts["clean_b"]), "--baseline", run, "--time-limit", "3")),
        (DISPATCHER, ("solve", "--forecast", str(w.forecasts["clean_b"]), "--baseline", "999999", "--time-limit", "3")),
        ("vera", ("solve", "--forecast", str(w.forecasts["clean_b"]), "--baseline", run, "--json")),
    ]
    with live_server(w.db) as url:
        codes = _side_by_side(w, twin, url, steps, keys, monkeypatch, words)
    assert codes == [0, 0, 0, 1, 2, 0, 1, 0, 1,  # freeze: shown, set by an admin only, -5 refused, graz's run not found
                     0, 0, 2, 0, 1, 2,  # pin, a pinned instance not edited, unpin, 404, a viewer 403
                     2, 0, 0, 1, 1, 0, 1, 2, 1,  # edit: a broken rule, preview, stored, no-ops, swap, 404, 403, scope
                     0, 1, 1, 2]  # baseline: solved, another week, 404, a viewer


def test_handoff_gdpr_notify_and_validate_match_local_mode(fresh_world: World, api_key: None, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    w = fresh_world
    for login in ("dpo1", "dpo2"):
        assert cli(w.db, "users", "add", login, "--role", "dpo", "--tenant", "acme", "--sites", "wien", login=ADMIN).code == 0
    assert cli(w.db, "drivers", "import", str(ROSTER_CSV), "--site", "wien", login=ADMIN).code == 0
    twin = clone_store(w.db, tmp_path / "twin.duckdb")
    run = str(w.runs["clean"])
    keys = {login: mint_key(w.db, login) for login in (DISPATCHER, ADMIN, "dpo1", "dpo2", OPS_LEAD, "vera")}
    erase = ("gdpr", "erase-driver", "DRV-1", "--site", "wien", "--reason", REASON)
    steps = [
        (OPS_LEAD, ("handoff",)), (OPS_LEAD, ("handoff", "--week", "--json")), (DISPATCHER, ("handoff", "--shift")),
        (OPS_LEAD, ("handoff", "--since", "2025-12-01T00:00")), (OPS_LEAD, ("handoff", "--since", "yesterday")),
        ("vera", ("handoff",)),
        ("dpo1", erase), ("dpo1", erase), ("dpo2", erase), (DISPATCHER, erase),
        (ADMIN, ("gdpr", "erase-driver", "NOBODY", "--site", "wien", "--reason", REASON)),
        (ADMIN, ("gdpr", "erase-driver", "DRV-2", "--site", "graz", "--reason", REASON)),
        (ADMIN, (*erase, "--json")), ("dpo2", ("gdpr", "log")), ("dpo2", ("gdpr", "log", "--json")),
        (DISPATCHER, ("notify", "status", run)), (DISPATCHER, ("notify", "status", run, "--json")),
        (DISPATCHER, ("notify", "status", "999999")), (DISPATCHER, ("notify", run)), (DISPATCHER, ("notify", "due")),
        (DISPATCHER, ("notify", "due", "--json")), ("vera", ("notify", run)),
        (DISPATCHER, ("validate", str(FIXTURES / "valid_export_long.csv"), "--anchor", "2026-03-02")),  # site: the user's only one
        (DISPATCHER, ("validate", str(FIXTURES / "valid_lines.txt"), "--anchor", "2026-03-02", "--json")),
        (DISPATCHER, ("validate", str(FIXTURES / "broken_contract.json"))),
        (DISPATCHER, ("validate", str(FIXTURES / "valid_contract.csv"), "--tenant", "rival")),
    ]
    with live_server(w.db) as url:
        codes = _side_by_side(w, twin, url, steps, keys, monkeypatch, {})
    assert codes == [0, 0, 0, 0, 1, 2,  # handoff: given, --since, a bad --since, a viewer may not
                     0, 2, 2, 2, 1, 1, 0, 0, 0,  # gdpr: requested, the two-person rule, a dispatcher, 404s, done, the log
                     0, 0, 1, 2, 0, 0, 2,  # notify: status, 404, an AUDITED plan, nothing due, a viewer
                     0, 0, 2, 2]  # validate: the user's site, a FAIL, another tenant (nothing stored: 2)


def test_every_command_is_remote_or_store_host_only() -> None:
    """No command silently runs on a local file in remote mode: each is in select.REMOTE or LOCAL_ONLY."""
    from app.cli import build_parser
    from app.remote.select import LOCAL_ONLY, REMOTE_COMMANDS

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == REMOTE_COMMANDS | LOCAL_ONLY  # type: ignore[attr-defined]
    assert not REMOTE_COMMANDS & LOCAL_ONLY
