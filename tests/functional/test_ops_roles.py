"""Who may do what: a role × action matrix over all five roles and every mutating command,
`--as` for platform admins only (recorded as "X as Y"), and the unknown OS user.

Allowed roles succeed (exit 0) on a private copy of the world; the others are refused with
exit 2 and a message naming their role, on one shared copy that must stay unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from dataclasses import dataclass

import pytest

from testdata import FIXTURES

from app.ops.api_keys import key_hash
from storage.store import Store
from ops_world import (
    ADMIN,
    DISPATCHER,
    DISPATCHER2,
    LOCK_REASON,
    OPS_LEAD,
    OTHER_SITE,
    OTHER_TENANT,
    REASON,
    RIVAL,
    ROLE_LOGINS,
    ROLES,
    SITE,
    TENANT,
    UNKNOWN,
    WEEK_C,
    Result,
    World,
    cli,
    run_solvereign,
    snapshot,
    solve,
    subcommands,
)

PLANNERS = {"dispatcher", "ops_lead", "platform_admin"}
ROSTER_FILE = FIXTURES / "roster_wien.csv"
ADMINS = {"platform_admin"}
REPAIRERS = PLANNERS | {"on_call"}
SICK = "sick call from the depot"


@dataclass(frozen=True)
class Action:
    name: str
    allowed: set[str]
    run: Callable[[World, str], Result]  # (world, login) → result
    effect: Callable[[World, Result], None]  # what an allowed run must have changed
    command: str = ""  # the subcommand, when several cases share one (default: the name)


def state_of(w: World, run_id: int) -> str:
    return cli(w.db, "show-run", str(run_id), "--json", login=ADMIN).json["run"]["state"]


def _imported(w: World, r: Result) -> None:
    assert r.json["created"] is True
    ids = [f["id"] for f in cli(w.db, "forecasts", "--json", login=ADMIN).json["forecasts"]]
    assert r.json["forecast_id"] in ids


def _solved(w: World, r: Result) -> None:
    assert r.json["state"] == "AUDITED"
    assert state_of(w, r.json["run_id"]) == "AUDITED"


def _user_names(w: World) -> dict[str, bool]:
    return {u["login"]: u["active"] for u in cli(w.db, "users", "list", "--json", login=ADMIN).json["users"]}


def _sites(w: World) -> dict[str, bool]:
    return {s["code"]: s["enabled"] for s in cli(w.db, "sites", "list", "--json", login=ADMIN).json["sites"]}


def _kill_switch(w: World) -> bool:
    return cli(w.db, "status", "--json", login=ADMIN).json["kill_switch"]["on"]


def _roster(w: World, who: str = ADMIN) -> set[str]:
    return {d["external_id"] for d in cli(w.db, "drivers", "list", "--site", SITE, "--json", login=who).json["drivers"]}


def _remove_driver(w: World, who: str) -> Result:
    """Seed the roster (as the admin), then remove one driver as `who`."""
    assert cli(w.db, "drivers", "import", str(ROSTER_FILE), "--site", SITE, login=ADMIN).code == 0
    return cli(w.db, "drivers", "remove", "DRV-3", "--site", SITE, "--reason", "left the company in May", login=who)


def _erase_request(w: World, who: str) -> Result:
    """Seed the roster (as the admin), then ask for a driver's erasure as `who` (the first of two people)."""
    assert cli(w.db, "drivers", "import", str(ROSTER_FILE), "--site", SITE, login=ADMIN).code == 0
    return cli(w.db, "gdpr", "erase-driver", "DRV-3", "--site", SITE, "--reason", "the driver asked for erasure",
               login=who)


def queued_run(w: World) -> int:
    """A run left QUEUED (as a crashed solve leaves it): the target of `runs fail`."""
    from storage import Actor, NewPlan, Scope, Store

    store = Store(w.db)
    scope = Scope.of(TENANT, SITE)
    queued = store.plans.list_runs(scope, states=["QUEUED"])
    if queued:
        return queued[0].id
    return store.plans.create(scope, NewPlan(forecast_id=w.forecasts["clean_a"]), Actor(name=DISPATCHER, role="dispatcher")).id


def _first_instance(w: World, run_id: int) -> str:
    from storage import Scope, Store

    return sorted(Store(w.db, read_only=True).plans.detail(Scope.of(TENANT, SITE), run_id).assignments)[0]


def repair_version(w: World) -> int:
    """An unpublished repair of the clean run (made once, before the refusals' snapshot): the target of `undo`."""
    from storage import Scope, Store

    found = [r for r in Store(w.db, read_only=True).plans.list_runs(Scope.of(TENANT, SITE)) if r.kind == "repair" and r.state == "AUDITED"]
    if found:
        return found[0].id
    r = cli(w.db, "repair", str(w.runs["clean"]), "--absent", "D001", "--reason", SICK, "--json", login=ADMIN)
    assert r.code == 0, r
    return int(r.json["run"]["id"])


def _newest_kind(w: World, kind: str) -> None:
    runs = cli(w.db, "list-runs", "--json", login=ADMIN).json["runs"]
    assert runs[0]["kind"] == kind and runs[0]["parent_plan_id"] == w.runs["clean"]


def _pins(w: World) -> list[str]:
    from storage import Scope, Store

    return [p.instance_id for p in Store(w.db, read_only=True).pins.for_plan(Scope.of(TENANT, SITE), w.runs["clean"])]


def _unpin(w: World, who: str) -> Result:
    iid = _first_instance(w, w.runs["clean"])
    assert cli(w.db, "pin", str(w.runs["clean"]), iid, login=ADMIN).code == 0
    return cli(w.db, "unpin", str(w.runs["clean"]), iid, login=who)


def open_alert(w: World, severity: str) -> int:
    """An open alert of `severity` (raised once, before the refusals' snapshot): the target of `alerts ack`."""
    from storage import Scope, Store
    from storage.repo_alerts import NewAlert

    alert, _new = Store(w.db).alerts.raise_alert(Scope.of(TENANT, SITE), NewAlert(
        site=SITE, severity=severity, kind="matrix", subject=f"matrix {severity}", message=f"a {severity} alert of the role matrix"))
    return alert.id


def _acked_by(w: World, severity: str, who: str) -> None:
    [alert] = [a for a in cli(w.db, "alerts", "--all", "--json", login=ADMIN).json["alerts"] if a["subject"] == f"matrix {severity}"]
    assert alert["acked_by"] == who and alert["ack_reason"] == "seen it, handling it"


def _ack(severity: str, allowed: set[str]) -> Action:
    return Action(f"alerts ack {severity}", allowed,
                  lambda w, who: cli(w.db, "alerts", "ack", str(open_alert(w, severity)), "--reason", "seen it, handling it", login=who),
                  lambda w, r: _acked_by(w, severity, r.out.split()[-1]), command="alerts ack")


ACTIONS = [
    Action("repair", REPAIRERS,
           lambda w, who: cli(w.db, "repair", str(w.runs["clean"]), "--absent", "D001", "--reason", SICK, "--json", login=who),
           lambda w, r: _newest_kind(w, "repair")),
    Action("undo", REPAIRERS, lambda w, who: cli(w.db, "undo", str(repair_version(w)), login=who),
           lambda w, r: assert_state(w, repair_version_of(r), "REJECTED")),
    Action("edit", REPAIRERS,
           lambda w, who: cli(w.db, "edit", str(w.runs["clean"]), "--move", _first_instance(w, w.runs["clean"]), "--to", "S-NEW",
                              "--reason", "driver asked for a free morning", login=who),
           lambda w, r: _newest_kind(w, "edit")),
    Action("pin", REPAIRERS, lambda w, who: cli(w.db, "pin", str(w.runs["clean"]), _first_instance(w, w.runs["clean"]), login=who),
           lambda w, r: _check(_pins(w) == [_first_instance(w, w.runs["clean"])])),
    Action("unpin", REPAIRERS, _unpin, lambda w, r: _check(_pins(w) == [])),
    Action("freeze", ADMINS,
           lambda w, who: cli(w.db, "freeze", "--site", SITE, "--set-horizon", "600", "--reason", "pilot uses a 10 h horizon", "--json", login=who),
           lambda w, r: _check(cli(w.db, "freeze", "--site", SITE, "--json", login=ADMIN).json["horizon_min"] == 600)),
    Action("drill", REPAIRERS,
           lambda w, who: cli(w.db, "drill", "freeze-window", "--run", str(w.runs["published"]), "--json", login=who),
           lambda w, r: _check(r.json["verdict"] == "PASS" and os.path.exists(r.json["evidence"]))),
    Action("drivers import", PLANNERS,
           lambda w, who: cli(w.db, "drivers", "import", str(ROSTER_FILE), "--site", SITE, "--json", login=who),
           lambda w, r: _check(_roster(w) == {"DRV-1", "DRV-2", "DRV-3", "DRV-4"} and r.json["stored"] == 4)),
    Action("drivers remove", PLANNERS, _remove_driver, lambda w, r: _check(_roster(w) == {"DRV-1", "DRV-2", "DRV-4"})),
    Action("import", PLANNERS,
           lambda w, who: cli(w.db, "import", str(w.files["fresh"]), "--site", SITE, "--anchor", WEEK_C, "--json", login=who),
           _imported),
    Action("solve", PLANNERS, lambda w, who: solve(w.db, w.forecasts["clean_a"], login=who), _solved),
    Action("publish", PLANNERS,
           lambda w, who: cli(w.db, "publish", str(w.runs["clean"]), "--reason", REASON, login=who),
           lambda w, r: assert_state(w, w.runs["clean"], "PUBLISHED")),
    Action("reject", PLANNERS,
           lambda w, who: cli(w.db, "reject", str(w.runs["clean"]), "--reason", "forecast will be re-issued", login=who),
           lambda w, r: assert_state(w, w.runs["clean"], "REJECTED")),
    Action("lock", PLANNERS,
           lambda w, who: cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=who),
           lambda w, r: assert_state(w, w.runs["published"], "LOCKED")),
    Action("runs fail", PLANNERS,
           lambda w, who: cli(w.db, "runs", "fail", str(queued_run(w)), "--reason", "the solver host was rebooted", login=who),
           lambda w, r: assert_state(w, queued_run_id(r), "FAILED")),
    Action("evidence", set(ROLES),  # reading a plan: every role of its site; writes the pack and records it on the run
           lambda w, who: cli(w.db, "evidence", str(w.runs["clean"]), "--json", login=who),
           lambda w, r: _check(Path(r.json["path"]).is_file())),
    Action("retention purge", ADMINS, lambda w, who: cli(w.db, "retention", "purge", "--json", login=who),
           lambda w, r: _check(r.json["dry_run"] is False)),
    Action("retention set", ADMINS,
           lambda w, who: cli(w.db, "retention", "set", "--data-days", "30", "--log-days", "400", "--reason",
                              "the tenant's contract says so", login=who),
           lambda w, r: _check(cli(w.db, "retention", "policy", "--json", login=ADMIN).json["log_days"] == 400)),
    Action("gdpr erase-driver", ADMINS | {"dpo"}, lambda w, who: _erase_request(w, who),
           lambda w, r: _check("requested" in r.out)),
    Action("users add", ADMINS,
           lambda w, who: cli(w.db, "users", "add", "neo", "--role", "viewer", "--tenant", TENANT, "--sites", SITE, login=who),
           lambda w, r: _check(_user_names(w).get("neo") is True)),
    Action("users remove", ADMINS,
           lambda w, who: cli(w.db, "users", "remove", DISPATCHER2, login=who),
           lambda w, r: _check(_user_names(w)[DISPATCHER2] is False)),
    Action("sites enable", ADMINS,
           lambda w, who: cli(w.db, "sites", "enable", "linz", "--reason", "new depot goes live", login=who),
           lambda w, r: _check(_sites(w).get("linz") is True)),
    Action("sites disable", ADMINS,
           lambda w, who: cli(w.db, "sites", "disable", SITE, "--reason", "pilot paused for now", login=who),
           lambda w, r: _check(_sites(w)[SITE] is False)),
    Action("users key", ADMINS,
           lambda w, who: cli(w.db, "users", "key", DISPATCHER, login=who),
           lambda w, r: _check(Store(w.db).api_keys.login_for(key_hash(r.out.strip())) == DISPATCHER)),
    Action("kill-switch on", ADMINS,
           lambda w, who: cli(w.db, "kill-switch", "on", "--reason", "incident 4711: stop publishing", login=who),
           lambda w, r: _check(_kill_switch(w) is True)),
    Action("kill-switch off", ADMINS,
           lambda w, who: cli(w.db, "kill-switch", "off", "--reason", "incident 4711 is resolved", login=who),
           lambda w, r: _check(_kill_switch(w) is False)),
    _ack("S2", {"on_call", "ops_lead", "platform_admin"}),
    _ack("S1", {"ops_lead", "platform_admin"}),
    _ack("S0", ADMINS),
    Action("handoff", REPAIRERS, lambda w, who: cli(w.db, "handoff", "--json", login=who),
           lambda w, r: _check(cli(w.db, "handoff", "--json", login=ADMIN).json["since"] is not None)),
]
CASES = [(a, role) for a in ACTIONS for role in ROLES]


def _check(ok: bool) -> None:
    assert ok


def repair_version_of(r: Result) -> int:
    return int(r.out.split()[1])  # "plan 9 (repair v2) discarded: REJECTED"


def queued_run_id(r: Result) -> int:
    return int(r.out.split()[1])  # "run 7 FAILED (QUEUED → FAILED)"


def assert_state(w: World, run_id: int, state: str) -> None:
    assert state_of(w, run_id) == state


@pytest.fixture(scope="module")
def refusals(world: World):
    """The shared copy the refused cases run on; it must end exactly as it began."""
    queued_run(world)  # before the snapshot: the refused `runs fail` cases find it there
    repair_version(world)  # and the refused `undo` cases this repair
    for severity in ("S2", "S1", "S0"):
        open_alert(world, severity)  # and the refused `alerts ack` cases these alerts
    before = snapshot(world.db)
    yield world
    assert snapshot(world.db) == before, "a refused command changed the store"


@pytest.mark.parametrize(("action", "role"), [(a, r) for a, r in CASES if r in a.allowed], ids=lambda x: getattr(x, "name", x))
def test_allowed_role_succeeds(fresh_world: World, action: Action, role: str):
    r = action.run(fresh_world, ROLE_LOGINS[role])
    assert r.code == 0, r
    assert "Traceback" not in r.err
    action.effect(fresh_world, r)


@pytest.mark.parametrize(("action", "role"), [(a, r) for a, r in CASES if r not in a.allowed], ids=lambda x: getattr(x, "name", x))
def test_other_roles_are_refused_naming_their_role(refusals: World, action: Action, role: str):
    r = action.run(refusals, ROLE_LOGINS[role])
    assert r.code == 2, r
    line = r.error_line
    assert line.startswith("error: blocked:") and f"role {role}" in line, line


READ_ONLY = {"validate", "status", "jobs", "forecasts", "list-runs", "show-run", "log", "users list", "sites list", "tui", "audit",
             "drivers list", "drivers show", "diff", "retention policy", "gdpr log", "queue list", "alerts"}
SETUP = {"init", "demo", "serve", "store copy"}  # create a store or a tenant (test_init_*, the week scripts); serve: test_server_*;
# store copy: an operator's copy into a new store, from the source file or database itself (tests/storage/test_copy.py)
OWN_MATRIX = {"notify", "queue add", "worker"}  # notify needs a LOCKED plan and servers: its roles are tested in
# test_notify.py; the solve queue needs a PostgreSQL store: tests/functional/test_pg_queue.py
GROUPS = {"users", "sites", "drivers", "runs", "retention", "gdpr", "store", "queue"}  # only their actions count


def test_matrix_covers_every_mutating_command():
    """Every subcommand that can change the store is in the matrix (a new one must be added here)."""
    names = set(subcommands()) - GROUPS
    names = (names - {"kill-switch"}) | {"kill-switch on", "kill-switch off"}
    assert names - READ_ONLY - SETUP - OWN_MATRIX == {a.command or a.name for a in ACTIONS}
    assert len(CASES) == 150
    assert "--forecast" in subcommands()["solve"].format_help()


def test_refused_lock_of_a_locked_plan_is_not_reported_as_done(fresh_world: World):
    """Idempotent lock answers "already locked" only to someone who may lock."""
    w = fresh_world
    assert cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=DISPATCHER).code == 0
    for role in ("viewer", "on_call"):
        r = cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=ROLE_LOGINS[role])
        assert r.code == 2 and f"role {role}" in r.error_line, r
    again = cli(w.db, "lock", str(w.runs["published"]), "--reason", LOCK_REASON, login=OPS_LEAD)
    assert again.code == 0 and f"already LOCKED by {DISPATCHER} at" in again.out


# --- --as -----------------------------------------------------------------------------


def test_as_is_honoured_for_platform_admin_and_recorded(fresh_world: World):
    w = fresh_world
    run = str(w.runs["clean"])
    r = cli(w.db, "publish", run, "--reason", REASON, login=ADMIN, act_as=DISPATCHER)
    assert r.code == 0, r
    r = cli(w.db, "lock", run, "--reason", LOCK_REASON, login=ADMIN, act_as=OPS_LEAD)
    assert r.code == 0, r
    records = cli(w.db, "log", run, "--json", login=DISPATCHER).json["records"]
    by_action = {rec["action"]: rec for rec in records}
    assert by_action["publish"]["actor"] == f"{ADMIN} as {DISPATCHER}"
    assert by_action["publish"]["role"] == "dispatcher"
    assert by_action["lock"]["actor"] == f"{ADMIN} as {OPS_LEAD}"
    assert by_action["lock"]["role"] == "ops_lead"
    text = cli(w.db, "log", run, login=DISPATCHER).out
    assert f"{ADMIN} as {DISPATCHER} (dispatcher)" in text
    status = cli(w.db, "status", "--json", login=ADMIN, act_as=DISPATCHER).json
    assert status["login"] == ADMIN and status["acting_as"] == f"{ADMIN} as {DISPATCHER}" and status["role"] == "dispatcher"


def test_as_takes_the_target_role_and_scope(world: World):
    """A platform admin acting as a viewer is refused like the viewer (and recorded nothing)."""
    r = cli(world.db, "publish", str(world.runs["clean"]), "--reason", REASON, login=ADMIN, act_as=ROLE_LOGINS["viewer"])
    assert r.code == 2 and "role viewer" in r.error_line
    # acting as a wien user, the admin no longer sees graz
    r = cli(world.db, "show-run", str(world.runs["graz"]), login=ADMIN, act_as=DISPATCHER)
    assert r.code == 1 and "not found" in r.error_line


@pytest.mark.parametrize("role", [r for r in ROLES if r != "platform_admin"])
def test_as_is_refused_for_every_other_role(world: World, role: str):
    r = cli(world.db, "status", login=ROLE_LOGINS[role], act_as=ADMIN)
    assert r.code == 2, r
    line = r.error_line
    assert "--as" in line and "platform_admin" in line and role in line


@pytest.mark.parametrize("target", [UNKNOWN, RIVAL])
def test_as_an_unknown_or_foreign_user_is_not_found(world: World, target: str):
    r = cli(world.db, "status", login=ADMIN, act_as=target)
    assert r.code == 1 and "not found" in r.error_line, r


# --- identity ------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("status",), ("list-runs",), ("publish", "1", "--reason", REASON), ("import", "x.csv")])
def test_unknown_os_user_gets_one_line_hint(world: World, args):
    r = cli(world.db, *args, login=UNKNOWN)
    assert r.code == 2, r
    line = r.error_line
    assert UNKNOWN in line and f"users add {UNKNOWN} --role" in line


def test_unknown_os_user_through_the_installed_command(world: World):
    r = run_solvereign(world.db, "status", login=UNKNOWN)
    assert r.code == 2, r
    assert f"solvereign --db {world.db} users add nobody --role" in r.error_line
    assert r.out == ""


def test_removed_user_can_no_longer_act(fresh_world: World):
    w = fresh_world
    assert cli(w.db, "users", "remove", DISPATCHER2, login=ADMIN).code == 0
    r = cli(w.db, "list-runs", login=DISPATCHER2)
    assert r.code == 2 and f"users add {DISPATCHER2} --role" in r.error_line


def test_admin_cannot_remove_themself(world: World):
    r = cli(world.db, "users", "remove", ADMIN, login=ADMIN)
    assert r.code == 1 and "yourself" in r.error_line


def test_os_login_ignores_the_environment(monkeypatch):
    """LOGNAME, USER, LNAME and USERNAME name nobody: the acting person is the real uid's account."""
    import pwd

    from app.settings import os_login

    for key in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(key, "root-impostor")
    assert os_login() == pwd.getpwuid(os.getuid()).pw_name


@pytest.mark.parametrize("login", [UNKNOWN, ROLE_LOGINS["viewer"], DISPATCHER, OPS_LEAD])
@pytest.mark.parametrize("tenant", [TENANT, "newco"])
def test_init_on_a_store_with_users_needs_one_of_its_platform_admins(refusals: World, login: str, tenant: str):
    """Any unregistered OS user could `init` a new tenant inside a shared store and become its admin; no more."""
    r = cli(refusals.db, "init", "--tenant", tenant, "--site", SITE, login=login)
    assert r.code == 2, r
    line = r.error_line
    assert "already has users" in line and f"{login} is not one of its platform admins" in line and "users add" in line


def test_removed_user_cannot_reinstate_themself_with_init(fresh_world: World):
    w = fresh_world
    assert cli(w.db, "users", "remove", DISPATCHER2, login=ADMIN).code == 0
    assert cli(w.db, "init", "--tenant", TENANT, "--site", SITE, login=DISPATCHER2).code == 2
    users = {u["login"]: u for u in cli(w.db, "users", "list", "--json", login=ADMIN).json["users"]}
    assert users[DISPATCHER2]["active"] is False and users[DISPATCHER2]["role"] == "dispatcher"


def test_init_by_the_tenant_admin_adds_a_site_and_a_new_tenant_gets_its_own_admin(fresh_world: World):
    w = fresh_world
    r = cli(w.db, "init", "--tenant", TENANT, "--site", "linz", "--json", login=ADMIN)
    assert r.code == 0 and "linz" in r.json["user"]["sites"], r
    r = cli(w.db, "init", "--tenant", "newco", "--site", SITE, "--admin", "nora", "--json", login=ADMIN)
    assert r.code == 0 and r.json["user"]["login"] == "nora" and r.json["user"]["role"] == "platform_admin", r
    assert cli(w.db, "list-runs", "--json", login="nora").json["runs"] == []  # sees nothing of acme or rival
    assert cli(w.db, "status", "--json", login=ADMIN).json["tenant"] == TENANT  # the creator did not move
    taken = cli(w.db, "init", "--tenant", "third", "--site", SITE, "--admin", RIVAL, login=ADMIN)
    assert taken.code == 1 and "cannot be added here" in taken.error_line and OTHER_TENANT not in taken.err


def test_init_cannot_join_a_site_of_the_tenant_that_is_not_the_admins(fresh_world: World):
    w = fresh_world
    assert cli(w.db, "users", "add", "sam", "--role", "platform_admin", "--tenant", TENANT, "--sites", SITE, login=ADMIN).code == 0
    r = cli(w.db, "init", "--tenant", TENANT, "--site", OTHER_SITE, login="sam")
    assert r.code == 2 and "not one of your sites" in r.error_line, r
    assert cli(w.db, "status", "--json", login="sam").json["sites"] == [SITE]
