"""Who acts: the real uid's account, never LOGNAME/USER; `--as` stays the acting person's act and
inside the admin's own tenant and sites; admin commands stay scoped; a tenant keeps an admin.

The spoofing cases run the installed command as a real subprocess under the suite's own account
(REAL_LOGIN, registered in a copy of the world with the role each case needs) and set LOGNAME and
USER to someone more powerful.
"""

from __future__ import annotations

import subprocess

import pytest
from ops_world import (
    ADMIN,
    NOW_OPEN,
    DISPATCHER,
    GRAZ_USER,
    OPS_LEAD,
    OTHER_SITE,
    OTHER_TENANT,
    REAL_LOGIN,
    REASON,
    RIVAL,
    ROLE_LOGINS,
    SITE,
    SOLVEREIGN,
    TENANT,

    Result,
    World,
    cli,
    global_args,
    subprocess_env,
)


def spoofed(db, *args: str, pretend: str) -> Result:
    """The installed command, really run by REAL_LOGIN, with every identity variable naming `pretend`."""
    env = subprocess_env() | {k: pretend for k in ("LOGNAME", "USER", "LNAME", "USERNAME")}
    proc = subprocess.run([str(SOLVEREIGN), *global_args(db, NOW_OPEN, None), *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def register(w: World, login: str, role: str, sites: str = SITE) -> None:
    r = cli(w.db, "users", "add", login, "--role", role, "--tenant", TENANT, "--sites", sites, login=ADMIN)
    assert r.code == 0, r


def test_a_viewer_cannot_turn_the_kill_switch_on_by_naming_the_admin(fresh_world: World):
    w = fresh_world
    register(w, REAL_LOGIN, "viewer")
    r = spoofed(w.db, "kill-switch", "on", "--reason", "incident 4711: stop publishing", pretend=ADMIN)
    assert r.code == 2 and "role viewer" in r.error_line, r
    assert cli(w.db, "status", "--json", login=ADMIN).json["kill_switch"]["on"] is False
    who = spoofed(w.db, "status", "--json", pretend=ADMIN)
    assert who.code == 0 and who.json["login"] == REAL_LOGIN and who.json["role"] == "viewer", who


def test_a_dispatcher_cannot_give_the_second_approval_by_naming_an_ops_lead(fresh_world: World):
    w = fresh_world
    run = str(w.runs["kpi_alert"])  # has warnings: two approvals by different people
    register(w, REAL_LOGIN, "dispatcher")
    first = spoofed(w.db, "publish", run, "--reason", REASON, pretend=OPS_LEAD)
    assert first.code == 0 and "first approval recorded" in first.out, first
    second = spoofed(w.db, "publish", run, "--reason", REASON, pretend=OPS_LEAD)
    assert second.code == 2 and f"different user than {REAL_LOGIN}" in second.error_line, second
    records = cli(w.db, "log", run, "--json", login=ADMIN).json["records"]
    assert [r["actor"] for r in records if r["action"] in ("approve", "publish")] == [REAL_LOGIN]
    assert cli(w.db, "publish", run, "--reason", REASON, login=OPS_LEAD).code == 0  # the real ops lead can


def test_an_unregistered_account_gets_the_hint_whatever_the_environment_says(world: World):
    r = spoofed(world.db, "status", pretend=ADMIN)
    assert r.code == 2 and f"you are {REAL_LOGIN} (your OS login)" in r.error_line and f"users add {REAL_LOGIN}" in r.error_line, r


# --- --as --------------------------------------------------------------------------------


@pytest.mark.parametrize("first_as", [None, DISPATCHER])
def test_an_approval_through_as_counts_as_the_acting_persons(fresh_world: World, first_as: str | None):
    """`publish 2` then `--as olga publish 2` (or the other way round) is one person approving twice."""
    w = fresh_world
    run = str(w.runs["kpi_alert"])
    first = cli(w.db, "publish", run, "--reason", REASON, login=ADMIN, act_as=first_as)
    assert first.code == 0 and "first approval" in first.out, first
    second_as = OPS_LEAD if first_as is None else None
    second = cli(w.db, "publish", run, "--reason", REASON, login=ADMIN, act_as=second_as)
    assert second.code == 2 and "different user than" in second.error_line, second
    assert cli(w.db, "show-run", run, "--json", login=ADMIN).json["run"]["state"] == "AUDITED"


def test_as_and_admin_commands_stay_inside_the_admins_sites(fresh_world: World):
    w = fresh_world
    register(w, "wanda", "platform_admin")  # platform_admin of acme/wien only
    r = cli(w.db, "publish", str(w.runs["graz"]), "--reason", REASON, login="wanda", act_as=GRAZ_USER)
    assert r.code == 1 and f"user {GRAZ_USER!r} not found" in r.error_line, r
    r = cli(w.db, "sites", "disable", OTHER_SITE, "--reason", "pilot paused for now", login="wanda")
    assert r.code == 2 and "not one of your sites" in r.error_line, r
    assert cli(w.db, "status", "--json", login="wanda").json["sites"] == [SITE]  # graz not joined
    gates = {s["code"]: s["enabled"] for s in cli(w.db, "sites", "list", "--json", login=ADMIN).json["sites"]}
    assert gates[OTHER_SITE] is True
    created = cli(w.db, "sites", "enable", "linz", "--reason", "new depot goes live", login="wanda")
    assert created.code == 0, created  # a code the tenant does not use yet is a new site of hers
    assert cli(w.db, "status", "--json", login="wanda").json["sites"] == ["linz", SITE]


# --- the last admin ------------------------------------------------------------------------


@pytest.mark.parametrize("change", [("users", "add", ADMIN, "--role", "viewer", "--tenant", TENANT, "--sites", SITE),
                                    ("users", "remove", ADMIN)])
def test_the_last_platform_admin_cannot_be_demoted_or_removed(fresh_world: World, change):
    w = fresh_world
    register(w, "sam", "platform_admin", f"{SITE},{OTHER_SITE}")
    actor = ADMIN if change[1] == "add" else "sam"
    assert cli(w.db, "users", "remove", "sam", login=ADMIN).code == 0  # adam is the only admin again
    r = cli(w.db, *change, login=ADMIN)
    assert r.code in (1, 2), r
    if change[1] == "add":
        assert r.code == 2 and "last platform_admin of tenant acme" in r.error_line, r
    assert cli(w.db, "status", "--json", login=ADMIN).json["role"] == "platform_admin"
    register(w, "sam", "platform_admin", f"{SITE},{OTHER_SITE}")  # with a second admin it is allowed
    assert cli(w.db, *change, login=actor).code == 0


# --- what users list and a refused login tell -------------------------------------------------


def test_users_list_shows_only_the_sites_the_viewer_shares(fresh_world: World):
    w = fresh_world
    register(w, "sue", "dispatcher", f"{SITE},{OTHER_SITE}")
    users = {u["login"]: u for u in cli(w.db, "users", "list", "--json", login=ROLE_LOGINS["viewer"]).json["users"]}
    assert users["sue"]["sites"] == [SITE]
    assert GRAZ_USER not in users
    text = cli(w.db, "users", "list", login=ROLE_LOGINS["viewer"]).out
    assert OTHER_SITE not in text


def test_a_refused_login_does_not_say_which_logins_exist(fresh_world: World):
    w = fresh_world
    elsewhere = cli(w.db, "users", "add", DISPATCHER, "--role", "viewer", "--tenant", OTHER_TENANT, "--sites", SITE, login=RIVAL)
    assert elsewhere.code == 1 and "taken" not in elsewhere.err and TENANT not in elsewhere.err, elsewhere
    assert "cannot be added here" in elsewhere.error_line


@pytest.mark.parametrize("login", ["", " ", "a\nb", "mallory as ops1", "Root", "x" * 40, "eve\x1b[31m"])
def test_logins_must_match_the_documented_pattern(world: World, login: str):
    r = cli(world.db, "users", "add", login, "--role", "viewer", "--tenant", TENANT, "--sites", SITE, login=ADMIN)
    assert r.code == 1 and "must match" in r.error_line and "\x1b" not in r.err, r
