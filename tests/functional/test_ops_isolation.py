"""Tenant and site isolation: every read command (forecasts, list-runs, show-run, log, status)
shows only the caller's tenant and sites; another tenant's or site's run is "not found"
(exit 1) exactly like a run that does not exist, never revealed. Writes across the
boundary are "not found" too and change nothing.
"""

from __future__ import annotations

import pytest

from ops_world import (
    ADMIN,
    DISPATCHER,
    GRAZ_USER,
    OTHER_SITE,
    OTHER_TENANT,
    REASON,
    RIVAL,
    ROLE_LOGINS,
    SITE,
    TENANT,
    World,
    cli,
    snapshot,
    solve,
)

MISSING = 9999

# who → (tenant, sites they see, runs they see by world name)
VIEWS = {
    DISPATCHER: (TENANT, {SITE}, {"clean", "published", "kpi_alert", "warn_forecast"}),
    ROLE_LOGINS["viewer"]: (TENANT, {SITE}, {"clean", "published", "kpi_alert", "warn_forecast"}),
    GRAZ_USER: (TENANT, {OTHER_SITE}, {"graz"}),
    ADMIN: (TENANT, {SITE, OTHER_SITE}, {"clean", "published", "kpi_alert", "warn_forecast", "graz"}),
    RIVAL: (OTHER_TENANT, {SITE}, {"rival"}),
}
FORECAST_OF_RUN = {"clean": "clean_a", "published": "clean_b", "kpi_alert": "kpi_alert", "warn_forecast": "warn_c",
                   "graz": "graz", "rival": "rival"}
HIDDEN = [(who, name) for who, (_, _, seen) in VIEWS.items() for name in FORECAST_OF_RUN if name not in seen]


@pytest.fixture(scope="module")
def guarded(world: World):
    """Nothing in this module may change the store."""
    before = snapshot(world.db)
    yield world
    assert snapshot(world.db) == before, "an isolation probe changed the store"


def not_found_like_missing(w: World, who: str, hidden_id: int, args_for) -> None:
    """`args_for(id)` on a hidden run fails exactly as on an id that does not exist."""
    hidden = cli(w.db, *args_for(hidden_id), login=who)
    missing = cli(w.db, *args_for(MISSING), login=who)
    assert hidden.code == missing.code == 1, (hidden, missing)
    assert hidden.out == missing.out == ""
    assert hidden.error_line.replace(str(hidden_id), "N") == missing.error_line.replace(str(MISSING), "N")
    assert "not found" in hidden.error_line


@pytest.mark.parametrize(("who", "name"), HIDDEN)
@pytest.mark.parametrize("command", ["show-run --drivers --audits", "show-run --json", "log --json"])
def test_hidden_run_is_not_found(guarded: World, who: str, name: str, command: str):
    words = command.split()
    not_found_like_missing(guarded, who, guarded.runs[name], lambda i: [words[0], str(i), *words[1:]])


@pytest.mark.parametrize("who", list(VIEWS))
def test_list_runs_shows_only_own_scope(guarded: World, who: str):
    tenant, sites, seen = VIEWS[who]
    runs = cli(guarded.db, "list-runs", "--json", login=who).json["runs"]
    assert {r["id"] for r in runs} == {guarded.runs[n] for n in seen}
    assert all(r["tenant"] == tenant and r["site"] in sites for r in runs)
    text = cli(guarded.db, "list-runs", login=who).out
    for name in set(FORECAST_OF_RUN) - seen:
        assert f"\n{guarded.runs[name]:>4}  " not in text


@pytest.mark.parametrize("who", list(VIEWS))
def test_list_runs_of_a_foreign_site_shows_nothing(guarded: World, who: str):
    _, sites, _ = VIEWS[who]
    for site in {SITE, OTHER_SITE, "linz"} - sites:
        r = cli(guarded.db, "list-runs", "--site", site, "--json", login=who)
        assert (r.code == 0 and r.json["runs"] == []) or (r.code == 1 and "not found" in r.error_line), r
    if who == DISPATCHER:  # same site code, other tenant: still only acme's runs
        runs = cli(guarded.db, "list-runs", "--site", SITE, "--json", login=who).json["runs"]
        assert guarded.runs["rival"] not in {r["id"] for r in runs}


@pytest.mark.parametrize("who", list(VIEWS))
def test_forecasts_shows_only_own_scope(guarded: World, who: str):
    tenant, sites, seen = VIEWS[who]
    rows = cli(guarded.db, "forecasts", "--json", login=who).json["forecasts"]
    assert {f["id"] for f in rows} == {guarded.forecasts[FORECAST_OF_RUN[n]] for n in seen}
    assert all(f["tenant"] == tenant and f["site"] in sites for f in rows)
    for site in {SITE, OTHER_SITE} - sites:
        r = cli(guarded.db, "forecasts", "--site", site, "--json", login=who)
        assert (r.code == 0 and r.json["forecasts"] == []) or r.code == 1, r


@pytest.mark.parametrize("who", list(VIEWS))
def test_log_shows_only_own_scope(guarded: World, who: str):
    tenant, sites, seen = VIEWS[who]
    recs = cli(guarded.db, "log", "--json", login=who).json["records"]
    assert {r["plan_id"] for r in recs} == {guarded.runs[n] for n in seen}
    assert all(r["tenant"] == tenant and r["site"] in sites for r in recs)
    verify = cli(guarded.db, "log", "--verify", "--json", login=who).json
    assert verify["ok"] is True and {s["site"] for s in verify["sites"]} == sites


@pytest.mark.parametrize("who", list(VIEWS))
def test_status_shows_only_own_scope(guarded: World, who: str):
    tenant, sites, seen = VIEWS[who]
    st = cli(guarded.db, "status", "--json", login=who).json
    assert st["tenant"] == tenant and set(st["sites"]) == sites
    assert {s["code"] for s in st["site_gates"]} == sites
    assert {r["id"] for r in st["latest_runs"]} == {guarded.runs[n] for n in seen}
    assert all(r["tenant"] == tenant for r in st["latest_runs"] + st["awaiting_second_approver"])


@pytest.mark.parametrize("who", list(VIEWS))
def test_users_and_sites_show_only_own_scope(guarded: World, who: str):
    tenant, sites, _ = VIEWS[who]
    users = cli(guarded.db, "users", "list", "--json", login=who).json["users"]
    assert users and all(u["tenant"] == tenant and set(u["sites"]) & sites for u in users)
    listed = cli(guarded.db, "sites", "list", "--json", login=who).json["sites"]
    assert {s["code"] for s in listed} == sites


# --- writes across the boundary -------------------------------------------------------------


@pytest.mark.parametrize(("who", "name"), [(DISPATCHER, "graz"), (DISPATCHER, "rival"), (ADMIN, "rival"), (RIVAL, "clean"),
                                           (GRAZ_USER, "published")])
@pytest.mark.parametrize("action", ["publish", "reject", "lock"])
def test_actions_on_a_hidden_run_are_not_found(guarded: World, who: str, name: str, action: str):
    not_found_like_missing(guarded, who, guarded.runs[name], lambda i: [action, str(i), "--reason", REASON])


@pytest.mark.parametrize(("who", "name"), [(DISPATCHER, "graz"), (ADMIN, "rival"), (RIVAL, "clean_a")])
def test_solving_a_hidden_forecast_is_not_found(guarded: World, who: str, name: str):
    hidden = solve(guarded.db, guarded.forecasts[name], login=who)
    missing = solve(guarded.db, MISSING, login=who)
    assert hidden.code == missing.code == 1, (hidden, missing)
    fid = guarded.forecasts[name]
    assert hidden.error_line.replace(str(fid), "N") == missing.error_line.replace(str(MISSING), "N")


def test_importing_into_a_foreign_site_is_not_found(guarded: World):
    r = cli(guarded.db, "import", str(guarded.files["fresh"]), "--site", OTHER_SITE, "--anchor", "2026-01-19", login=DISPATCHER)
    assert r.code == 2 and f"site {OTHER_SITE} not found" in r.error_line, r  # import: nothing stored is 2


def test_admin_cannot_add_users_to_another_tenant(guarded: World):
    r = cli(guarded.db, "users", "add", "eve", "--role", "viewer", "--tenant", OTHER_TENANT, "--sites", SITE, login=ADMIN)
    assert r.code == 1 and "not found" in r.error_line, r
    r = cli(guarded.db, "users", "remove", RIVAL, login=ADMIN)
    assert r.code == 1 and "not found" in r.error_line, r
