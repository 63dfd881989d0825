"""The repair engine: sick calls, held (frozen or pinned) instances, new work from a completed forecast, churn."""

from __future__ import annotations

from collections import Counter

from engine.solver import solve
from engine.solver.repair import Absence, RepairRequest, churn, repair
from roster_helpers import make_forecast, make_instance, real_week


def _legal(res) -> bool:
    return res.verdict == "PASS" and all(a.status == "PASS" for a in res.audits) and not res.uncovered_after


def test_churn_is_moved_parent_instances_over_parent_instances():
    assert churn({"a": "D1", "b": "D1", "c": "D2", "d": "D2"}, {"a": "D1", "b": "D3", "c": "D2"}) == 0.5
    assert churn({}, {"a": "D1"}) == 0.0


def test_a_sick_driver_s_work_goes_to_a_colleague_with_a_free_day():
    tours = [make_instance("mo", 1, "05:00-09:30"), make_instance("tu", 2, "05:00-09:30"), make_instance("we", 3, "05:00-09:30")]
    parent = {"mo": "D001", "tu": "D002", "we": "D002"}
    res = repair(RepairRequest(forecast=make_forecast(tours), parent=parent, absent=[Absence("D001")]))
    assert _legal(res)
    assert res.assignments == {"mo": "D002", "tu": "D002", "we": "D002"}
    assert res.new_standins == [] and res.churn == round(1 / 3, 4)
    assert [(c.instance_id, c.from_driver, c.to_driver) for c in res.changes] == [("mo", "D001", "D002")]
    assert res.uncovered_before == ["mo"]


def test_a_stand_in_is_added_only_when_nobody_can_take_the_work():
    tours = [make_instance("a", 1, "05:00-09:30"), make_instance("b", 1, "05:00-09:30")]  # same time: two drivers needed
    res = repair(RepairRequest(forecast=make_forecast(tours), parent={"a": "D001", "b": "D002"}, absent=[Absence("D001")]))
    assert _legal(res)
    assert res.new_standins == ["D003"] and res.assignments == {"a": "D003", "b": "D002"}


def test_held_instances_keep_their_driver():
    tours = [make_instance("mo", 1, "05:00-09:30"), make_instance("tu", 2, "05:00-09:30")]
    res = repair(RepairRequest(forecast=make_forecast(tours), parent={"mo": "D001", "tu": "D001"}, absent=[Absence("D001")],
                               held=frozenset({"mo"})))
    assert res.assignments["mo"] == "D001" and res.assignments["tu"] != "D001"
    assert res.held_moved == [] and _legal(res)


def test_an_absence_range_moves_only_the_work_inside_it():
    tours = [make_instance(f"d{d}", d, "05:00-09:30") for d in range(1, 5)]
    parent = {t.id: "D001" for t in tours}
    res = repair(RepairRequest(forecast=make_forecast(tours), parent=parent, absent=[Absence("D001", "sick", start=2 * 1440, end=4 * 1440)]))
    assert _legal(res)
    assert {iid for iid, d in res.assignments.items() if d == "D001"} == {"d1", "d2"}


def test_new_work_is_covered_and_the_rest_stays():
    first = [make_instance(f"d{d}", d, "05:00-09:30") for d in range(1, 4)]
    extra = make_instance("new", 4, "05:00-09:30")
    parent = {t.id: "D001" for t in first}
    res = repair(RepairRequest(forecast=make_forecast([*first, extra]), parent=parent))
    assert _legal(res) and res.churn == 0.0
    assert res.assignments == {**parent, "new": "D001"}


def test_new_driver_ids_never_collide_with_the_plan_s():
    tours = [make_instance("a", 1, "05:00-09:30"), make_instance("b", 1, "05:00-09:30")]
    res = repair(RepairRequest(forecast=make_forecast(tours), parent={"a": "D003", "b": "D001"}, absent=[Absence("D003")]))
    assert res.new_standins == ["D002"] and set(res.assignments.values()) == {"D001", "D002"}


def test_the_real_wien_week_three_sick_drivers():
    forecast = real_week("wien")
    plan = solve(forecast, time_limit=20)
    by_id = {i.id: i for i in forecast.instances}
    work = Counter()
    for iid, d in plan.assignments.items():
        work[d] += by_id[iid].work_minutes
    absent = [d for d, _ in work.most_common(3)]
    res = repair(RepairRequest(forecast=forecast, parent=plan.assignments, absent=[Absence(d) for d in absent]))
    assert _legal(res) and res.kpis.coverage == 1.0 and res.churn < 0.2
    assert not set(absent) & set(res.assignments.values())
