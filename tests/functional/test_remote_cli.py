"""Remote mode: the same CLI commands through a real loopback server print the same and exit the same."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from live_server import free_port, live_server, mint_key
from ops_world import DISPATCHER, GRAZ_USER, LOCK_REASON, REASON, World, cli

READS = (("list-runs", "--json"), ("list-runs",), ("status",), ("status", "--json"))


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
        for args in (*READS, ("show-run", str(w.runs["clean"])), ("show-run", str(w.runs["kpi_alert"]), "--drivers")):
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
    local_only = remote("http://127.0.0.1:1", "import", "x.csv")
    assert local_only.code == 1 and "'import' has no remote form yet" in local_only.error_line
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
