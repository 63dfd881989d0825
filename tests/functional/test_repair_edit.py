"""Thursday to Sunday on the demo week: repair on every reviewed parent state, the freeze and its
override, hand edits with the rule check, pins, undo, diff and partial forecasts, through the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ops_world import cli, clone_store, drop_store
from week_world import (ADMIN, DISPATCHER, NOW, ON_CALL, SICK, THURSDAY, VIEWER, assignments, build_week, ok,
                        publish_lock)

from app.ops.demo import demo_week_bytes


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_week(tmp_path_factory.mktemp("week"))


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Path]:
    path = clone_store(template, tmp_path / "week.duckdb")
    yield path
    drop_store(path)


def runs(db: Path) -> dict[int, dict]:
    return {r["id"]: r for r in ok(cli(db, "list-runs", "--json", login=ADMIN)).json["runs"]}


def repair(db: Path, run: int, *absent: str, login: str = DISPATCHER, now: str = NOW, extra: tuple[str, ...] = ()) -> dict:
    return ok(cli(db, "repair", str(run), "--absent", ",".join(absent), "--reason", SICK, "--json", *extra,
                  login=login, now=now)).json


@pytest.mark.parametrize("state", ["AUDITED", "PUBLISHED", "LOCKED"])
def test_repair_of_each_reviewed_state_is_a_new_version_and_leaves_the_parent(db: Path, state: str) -> None:
    if state != "AUDITED":
        publish_lock(db, 1, lock=state == "LOCKED")
    before = assignments(db, 1)
    doc = repair(db, 1, "D001", "D002")
    new = doc["run"]
    assert (new["kind"], new["parent_plan_id"], new["state"], new["version"]) == ("repair", 1, "AUDITED", 2)
    assert doc["result"]["verdict"] == "PASS" and new["assigned_count"] == new["instance_count"]
    assert new["audits_passed"] == new["audits_total"] == 7
    after = assignments(db, new["id"])
    assert "D001" not in after.values() and "D002" not in after.values()
    moved = {iid for iid in before if before[iid] != after[iid]}
    assert moved == {iid for iid, d in before.items() if d in ("D001", "D002")}  # only the absent drivers' tours move
    assert doc["result"]["churn"] == round(len(moved) / len(before), 4)
    assert runs(db)[1]["state"] == state and assignments(db, 1) == before


def test_locking_a_repair_supersedes_the_locked_parent_even_inside_the_week(db: Path) -> None:
    publish_lock(db, 1)
    doc = repair(db, 1, "D005", now=THURSDAY, extra=("--from", "2026-01-09T00:00"))
    new = doc["run"]["id"]
    changed = [c["instance_id"] for c in doc["result"]["changes"]]
    assert changed and all(i.startswith(("Fr-", "Sa-")) for i in changed)  # Mon–Thu are frozen
    publish_lock(db, new, now=THURSDAY)  # the lock window of a repair is its first changed tour, not the week's
    states = runs(db)
    assert states[new]["state"] == "LOCKED" and states[1]["state"] == "SUPERSEDED"


def test_preview_stores_nothing(db: Path) -> None:
    before = runs(db)
    doc = ok(cli(db, "repair", "1", "--absent", "D001", "--reason", SICK, "--preview", "--json", login=DISPATCHER)).json
    assert doc["run"] is None and doc["result"]["changes"] and runs(db) == before


def test_frozen_tours_stay_and_the_override_is_role_checked_and_recorded(db: Path) -> None:
    publish_lock(db, 1)
    week = assignments(db, 1)
    kept = repair(db, 1, "D001", now=THURSDAY)
    frozen = set(kept["frozen"])
    assert frozen and all(c["instance_id"] not in frozen for c in kept["result"]["changes"])
    assert kept["kept_with_absent"] == sorted(i for i, d in week.items() if d == "D001" and i in frozen)

    refused = cli(db, "repair", "1", "--absent", "D001", "--reason", SICK, "--override-freeze", login=DISPATCHER, now=THURSDAY)
    assert refused.code == 2 and "role dispatcher may not override the freeze" in refused.error_line

    doc = repair(db, 1, "D001", login=ON_CALL, now=THURSDAY, extra=("--override-freeze",))
    after = assignments(db, doc["run"]["id"])
    assert doc["overridden"] == [i for i in doc["released"] if after[i] != "D001"] and doc["overridden"]
    log = ok(cli(db, "log", str(doc["run"]["id"]), "--json", login=ADMIN)).json["records"]
    override = [r for r in log if r["action"] == "override"]
    assert len(override) == 1 and override[0]["reason"] == SICK and override[0]["role"] == "on_call"
    assert {f"overridden:{i}" for i in doc["overridden"]} <= set(override[0]["conditions_met"])
    assert ok(cli(db, "log", "--verify", login=ADMIN)).code == 0


def test_a_hand_edit_that_breaks_a_rule_is_refused_with_the_rule_named(db: Path) -> None:
    week = assignments(db, 1)
    mon = sorted(i for i, d in week.items() if d == "D001" and i.startswith("Mo-"))[0]
    other = next(d for i, d in sorted(week.items()) if d != "D001" and i.startswith("Mo-0500-0930"))
    before = runs(db)
    r = cli(db, "edit", "1", "--move", mon, "--to", other, "--reason", "swap a tour by hand", login=DISPATCHER)
    assert r.code == 2 and "breaks R2" in r.error_line and other in r.error_line
    assert runs(db) == before


def test_a_legal_edit_of_a_locked_plan_is_a_new_version(db: Path) -> None:
    publish_lock(db, 1)
    week = assignments(db, 1)
    last = max((i for i, d in week.items() if d == "D001"), key=lambda i: (i[:2] != "Mo", i))
    doc = ok(cli(db, "edit", "1", "--move", last, "--to", "S-NEW", "--reason", "driver asked for a free day",
                 "--json", login=DISPATCHER)).json
    new = doc["run"]
    assert (new["kind"], new["parent_plan_id"], new["state"]) == ("edit", 1, "AUDITED")
    assert assignments(db, new["id"])[last] == "S-NEW" and assignments(db, 1) == week
    swap = ok(cli(db, "edit", str(new["id"]), "--swap", "D001,D002", "--day", "2", "--reason", "swap Tuesday blocks",
                  "--preview", "--json", login=DISPATCHER)).json
    assert swap["run"] is None and all(a in ("D001", "D002") for a, _ in swap["check"]["changes"].values())


def test_editing_a_frozen_tour_is_blocked_without_the_override(db: Path) -> None:
    week = assignments(db, 1)
    mon = sorted(i for i, d in week.items() if d == "D001" and i.startswith("Mo-"))[-1]
    r = cli(db, "edit", "1", "--move", mon, "--to", "S-NEW", "--reason", "move a Monday tour", login=DISPATCHER, now=THURSDAY)
    assert r.code == 2 and "frozen" in r.error_line
    done = ok(cli(db, "edit", "1", "--move", mon, "--to", "S-NEW", "--reason", "move a Monday tour", "--override-freeze",
                  "--json", login=ON_CALL, now=THURSDAY)).json
    log = ok(cli(db, "log", str(done["run"]["id"]), "--json", login=ADMIN)).json["records"]
    assert any(r["action"] == "override" and f"overridden:{mon}" in r["conditions_met"] for r in log)


def test_a_pin_survives_a_repair_and_is_inherited(db: Path) -> None:
    week = assignments(db, 1)
    tue = sorted(i for i, d in week.items() if d == "D001" and i.startswith("Di-"))[0]
    ok(cli(db, "pin", "1", tue, login=DISPATCHER))
    doc = repair(db, 1, "D001")
    new = doc["run"]["id"]
    after = assignments(db, new)
    assert after[tue] == "D001" and doc["kept_with_absent"] == [tue]
    # the pin holds D001's Tuesday; every other day of D001 moved
    assert {i[:2] for i, d in after.items() if d == "D001"} == {"Di"}
    assert any(d == "D001" and not i.startswith("Di-") for i, d in week.items())
    from storage.scope import Scope
    from storage.store import Store

    assert [p.instance_id for p in Store(db, read_only=True).pins.for_plan(Scope.of("demo", "wien"), new)] == [tue]
    assert cli(db, "pin", "1", tue, login=VIEWER).code == 2


def test_undo_discards_an_unpublished_repair_only(db: Path) -> None:
    new = repair(db, 1, "D003")["run"]["id"]
    assert cli(db, "undo", "1", login=DISPATCHER).code == 2  # a solve is not undone
    ok(cli(db, "undo", str(new), login=DISPATCHER))
    assert runs(db)[new]["state"] == "REJECTED"
    again = repair(db, 1, "D003")["run"]["id"]
    publish_lock(db, again, lock=False)
    r = cli(db, "undo", str(again), login=DISPATCHER)
    assert r.code == 2 and "not yet published" in r.error_line


def test_diff_between_a_repair_and_its_parent(db: Path) -> None:
    doc = repair(db, 1, "D001")
    new = doc["run"]["id"]
    d = ok(cli(db, "diff", "1", str(new), "--json", login=VIEWER)).json
    assert [(m["instance_id"], m["from_driver"], m["to_driver"]) for m in d["moved"]] == [
        (c["instance_id"], c["from_driver"], c["to_driver"]) for c in doc["result"]["changes"]]
    assert "D001" in d["drivers_changed"] and "D001" in d["standins_removed"]
    assert set(d["standins_added"]) == set(doc["result"]["new_standins"])
    text = ok(cli(db, "diff", "1", str(new), login=VIEWER)).out
    assert f"{len(d['moved'])} moved" in text


def test_partial_forecast_completed_against_its_plan_keeps_pins_and_is_deterministic(db: Path, tmp_path: Path) -> None:
    full = demo_week_bytes().decode()
    sections = full.split(";\n")
    partial_file = tmp_path / "partial.csv"
    partial_file.write_text(";\n".join(sections[:3]) + ";\n", encoding="utf-8")  # Mo, Di, Mi
    pid = ok(cli(db, "import", str(partial_file), "--anchor", "2026-01-05", "--json", login=DISPATCHER)).json["forecast_id"]
    listed = {f["id"]: f for f in ok(cli(db, "forecasts", "--json", login=DISPATCHER)).json["forecasts"]}
    assert listed[pid]["days"] == [1, 2, 3] and listed[1]["days"] == [1, 2, 3, 4, 5, 6]
    fdiff = ok(cli(db, "forecasts", "--diff", str(pid), "1", "--json", login=DISPATCHER)).json
    assert fdiff["removed"] == [] and fdiff["added"] and all(i[:2] in ("Do", "Fr", "Sa") for i in fdiff["added"])
    prun = ok(cli(db, "solve", "--forecast", str(pid), "--time-limit", "5", "--json", login=DISPATCHER)).json["run_id"]
    publish_lock(db, prun, lock=False)
    base = assignments(db, prun)
    pinned = sorted(base)[0]
    ok(cli(db, "pin", str(prun), pinned, login=DISPATCHER))
    first = ok(cli(db, "solve", "--forecast", "1", "--baseline", str(prun), "--json", login=DISPATCHER)).json
    second = ok(cli(db, "solve", "--forecast", "1", "--baseline", str(prun), "--json", login=DISPATCHER)).json
    assert first["output_hash"] == second["output_hash"] and first["audits"] == {"passed": 7, "total": 7}
    done = assignments(db, first["run_id"])
    assert done[pinned] == base[pinned] and first["churn"] == 0.0  # nothing of Mo–Mi had to move
    assert len(done) == 252
    assert runs(db)[first["run_id"]]["kind"] == "resolve" and runs(db)[first["run_id"]]["parent_plan_id"] == prun


def test_freeze_horizon_per_site_and_the_frozen_view(db: Path) -> None:
    assert cli(db, "freeze", "--set-horizon", "60", "--reason", "pilot short horizon", login=DISPATCHER).code == 2
    evening = "2026-01-08T20:00"  # 720 min reach Friday morning, 60 min do not
    view = ok(cli(db, "freeze", "1", "--json", login=DISPATCHER, now=evening)).json
    assert view["horizon_min"] == 720 and view["next_at"] is not None
    ok(cli(db, "freeze", "--set-horizon", "60", "--reason", "pilot short horizon", login=ADMIN))
    short = ok(cli(db, "freeze", "1", "--json", login=DISPATCHER, now=evening)).json
    assert short["horizon_min"] == 60 and len(short["frozen"]) < len(view["frozen"])
    assert cli(db, "freeze", "--set-horizon", "-5", "--reason", "pilot short horizon", login=ADMIN).code == 1


def test_bad_input_is_one_line_and_changes_nothing(db: Path) -> None:
    before = runs(db)
    for args, code in ((("repair", "1", "--absent", "NOPE", "--reason", SICK), 1),
                       (("repair", "99", "--absent", "D001", "--reason", SICK), 1),
                       (("repair", "1", "--absent", "D001", "--reason", "short"), 2),
                       (("repair", "1", "--absent", "D001", "--reason", SICK, "--from", "yesterday"), 1),
                       (("edit", "1", "--move", "nope", "--to", "D002", "--reason", SICK), 1),
                       (("diff", "1", "77"), 1)):
        r = cli(db, *args, login=DISPATCHER)
        assert r.code == code, (args, r)
        r.error_line
    assert cli(db, "repair", "1", "--absent", "D001", "--reason", SICK, login=VIEWER).code == 2
    assert runs(db) == before
