"""`import`/`validate` take site and week from a contract file itself; an option that contradicts
the file is an error naming both values; importing a week that has begun warns (issue 12)."""

from __future__ import annotations

import json

from ops_world import ADMIN, DISPATCHER, OTHER_SITE, TENANT, WEEK_B, World, cli, write


def graz_contract(tmp_path, anchor: str = WEEK_B):
    tours = [{"external_id": f"G{d}", "day": d, "start_time": "06:00", "end_time": "10:30", "count": 1,
              "depot": "default", "skill": "standard"} for d in range(1, 6)]
    doc = {"tenant_code": TENANT, "site_code": OTHER_SITE, "week_anchor_date": anchor, "tours": tours}
    return write(tmp_path / "graz_contract.json", json.dumps(doc))


def test_a_contract_names_its_own_site_so_a_two_site_user_needs_no_site_option(fresh_world: World, tmp_path):
    r = cli(fresh_world.db, "import", str(graz_contract(tmp_path)), "--json", login=ADMIN)  # adam: wien and graz
    assert r.code == 0, r
    stored = json.loads(cli(fresh_world.db, "forecasts", "--json", login=ADMIN).out)["forecasts"][0]
    assert (stored["id"], stored["site"], stored["week_anchor"]) == (r.json["forecast_id"], OTHER_SITE, WEEK_B)


def test_an_option_contradicting_the_file_is_an_error_naming_both(fresh_world: World, tmp_path):
    path = graz_contract(tmp_path)
    before = cli(fresh_world.db, "forecasts", "--json", login=ADMIN).out
    r = cli(fresh_world.db, "import", str(path), "--anchor", "2026-12-14", login=ADMIN)
    assert r.code == 2
    assert r.out.splitlines()[0] == (
        f"{path}: ✖ FAIL — reason: --anchor 2026-12-14 contradicts the file's week_anchor_date {WEEK_B}"
    )
    r = cli(fresh_world.db, "import", str(path), "--site", "wien", login=ADMIN)
    assert r.code == 2 and f"--site wien contradicts the file's site_code {OTHER_SITE}" in r.out
    v = cli(None, "validate", str(path), "--anchor", "2026-12-14", "--tenant", "rival", login=ADMIN)
    assert v.code == 2 and "--tenant rival contradicts the file's tenant_code acme" in v.out
    assert cli(fresh_world.db, "forecasts", "--json", login=ADMIN).out == before  # nothing stored


def test_a_contract_of_another_tenant_is_refused_naming_both(fresh_world: World, tmp_path):
    path = graz_contract(tmp_path)
    path.write_text(path.read_text().replace(f'"{TENANT}"', '"rival"'))
    r = cli(fresh_world.db, "import", str(path), login=DISPATCHER)
    assert r.code == 2 and "--tenant acme contradicts the file's tenant_code rival" in r.out


def test_importing_a_week_that_has_started_warns(fresh_world: World, tmp_path):
    r = cli(fresh_world.db, "import", str(graz_contract(tmp_path)), login=ADMIN, now="2026-01-13T08:00")
    assert r.code == 0, r
    assert r.err.strip() == (
        f"warning: the week of {WEEK_B} has already started (first tour 2026-01-12 06:00 Europe/Vienna)"
    )
    later = cli(fresh_world.db, "import", str(graz_contract(tmp_path, "2026-01-19")), "--json", login=ADMIN,
                now="2026-01-13T08:00")
    assert later.code == 0 and later.json["warnings"] == [] and later.err == ""


def test_validate_takes_tenant_and_site_from_the_store_and_says_where_each_came_from(world: World, tmp_path):
    from ops_world import WEEK_A

    r = cli(world.db, "validate", str(world.files["clean_a"]), "--anchor", WEEK_A, login=DISPATCHER)  # dora: acme/wien
    assert r.code == 0, r
    assert r.out.rstrip().splitlines()[-1] == (
        f"  from: tenant acme (your user in the store) · site wien (your user in the store) · week {WEEK_A} (--anchor)"
    )
    j = cli(world.db, "validate", str(world.files["clean_a"]), "--anchor", WEEK_A, "--json", login=DISPATCHER).json
    assert j["sources"] == {"tenant": "default", "site": "default", "week": "option"}
    alone = cli(tmp_path / "no-store.duckdb", "validate", str(world.files["clean_a"]), "--anchor", WEEK_A, login=DISPATCHER)
    assert alone.code == 2 and "tenant_code missing (give it in the file or with --tenant)" in alone.out  # no store: as before


def test_tenant_is_accepted_everywhere_and_checked_against_yours(world: World, tmp_path):
    line = "tenant rival not found (you act for tenant acme)"
    for args, code in (
        (("validate", str(world.files["clean_a"]), "--tenant", "rival"), 2),  # validate/import: nothing stored exits 2
        (("import", str(world.files["clean_a"]), "--tenant", "rival", "--anchor", "2026-01-05"), 2),
        (("users", "add", "eve", "--role", "viewer", "--tenant", "rival", "--sites", "wien"), 1),
    ):
        r = cli(world.db, *args, login=ADMIN)
        assert r.code == code and r.error_line == f"error: {line}", (args, r)
    ok = cli(world.db, "validate", str(world.files["clean_a"]), "--tenant", TENANT, "--site", "wien",
             "--anchor", "2026-01-05", login=ADMIN)
    assert ok.code == 0, ok
