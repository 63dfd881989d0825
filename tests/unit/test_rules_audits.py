"""Every rule broken exactly once is caught by the right audit with the right rows; a legal plan passes all seven."""

from __future__ import annotations

import pytest

from engine import rules
from engine.audits import AUDIT_NAMES, run_audits
from engine.models import DriverSpec
from engine.rules import Piece, RuleConfig
from roster_helpers import make_instance


def failing(results):
    return {r.name: r for r in results if r.status == "FAIL"}


def only_failure(results, name):
    bad = failing(results)
    assert list(bad) == [name], {k: [row.message for row in v.rows] for k, v in bad.items()}
    return bad[name]


def test_config_hash_is_stable_and_sensitive():
    assert RuleConfig().config_hash() == RuleConfig().config_hash()
    assert RuleConfig().config_hash().startswith("sha256:")
    assert RuleConfig(rest_min=600).config_hash() != RuleConfig().config_hash()


@pytest.mark.parametrize(
    ("gap", "kind"),
    [(-1, "overlap"), (0, "illegal"), (29, "illegal"), (30, "regular"), (60, "regular"), (61, "illegal"), (239, "illegal"), (240, "split"), (360, "split"), (361, "illegal")],
)
def test_gap_classes_and_their_edges(gap, kind):
    assert rules.classify_gap(gap) == kind


def test_block_kinds_and_span_limits():
    two_regular = rules.check_block([Piece(0, 270), Piece(300, 570)])
    assert (two_regular.kind, two_regular.span_limit, two_regular.legal) == ("2er_regular", 840, True)
    two_split = rules.check_block([Piece(0, 270), Piece(510, 780)])
    assert (two_split.kind, two_split.is_split, two_split.span_limit) == ("2er_split", True, 960)
    three = rules.check_block([Piece(0, 270), Piece(300, 570), Piece(600, 870)])
    assert (three.kind, three.span_limit, three.legal) == ("3er", 960, True)
    lone_split_tour = rules.check_block([Piece(0, 950, split_tour=True)])
    assert (lone_split_tour.kind, lone_split_tour.is_split, lone_split_tour.legal) == ("1er", True, True)
    three_with_split_tour = rules.check_block([Piece(0, 100), Piece(130, 500, split_tour=True), Piece(530, 600)])
    assert [b.rule for b in three_with_split_tour.breaches] == ["R3"]
    split_tour_and_another = rules.check_block([Piece(0, 500, split_tour=True), Piece(530, 600)])
    assert [b.rule for b in split_tour_and_another.breaches] == ["R3"]  # a split tour is a block of its own
    assert "block of its own" in split_tour_and_another.breaches[0].message


def test_legal_plan_passes_all_seven():
    instances = [
        make_instance("mo1", 1, "05:00-09:30"), make_instance("mo2", 1, "10:00-14:30"),  # 2er regular
        make_instance("di1", 2, "06:00-09:00"), make_instance("di2", 2, "13:00-17:00"),  # 2er split (240)
        make_instance("mi1", 3, "05:00-08:00"), make_instance("mi2", 3, "08:30-11:30"), make_instance("mi3", 3, "12:00-15:00"),  # 3er
        make_instance("do1", 4, "06:00-10:00", "14:00-18:00"),  # a split tour
        make_instance("x", 1, "22:00-04:00"),  # night tour of a second driver
    ]
    plan = {i.id: "A" for i in instances}
    plan["x"] = "B"
    results = run_audits(instances, plan)
    assert [r.name for r in results] == list(AUDIT_NAMES)
    assert failing(results) == {}


def test_r1_unassigned_instance():
    a, b = make_instance("a", 1, "05:00-09:30"), make_instance("b", 2, "05:00-09:30")
    res = only_failure(run_audits([a, b], {"a": "D1"}), "coverage")
    assert [(r.instances, r.rule, r.day) for r in res.rows] == [(["b"], "R1", 2)]


def test_r1_double_assignment_and_unknown_id():
    a = make_instance("a", 1, "05:00-09:30")
    res = run_audits([a], [("a", "D1"), ("a", "D2"), ("ghost", "D1")])
    rows = failing(res)["coverage"].rows
    assert [(r.instances, r.measured) for r in rows] == [(["a"], 2), (["ghost"], None)]


def test_r2_overlap_same_day():
    a, b = make_instance("a", 1, "05:00-09:30"), make_instance("b", 1, "09:00-13:30")
    res = only_failure(run_audits([a, b], {"a": "D1", "b": "D1"}), "overlap")
    assert [(r.driver, r.instances, r.measured) for r in res.rows] == [("D1", ["a", "b"], 30)]


def test_r2_overlap_across_midnight():
    night, early = make_instance("n", 1, "22:00-04:30"), make_instance("e", 2, "04:00-08:00")
    res = only_failure(run_audits([night, early], {"n": "D1", "e": "D1"}), "overlap")
    assert res.rows[0].instances == ["n", "e"]


def test_r6_rest():
    late, early = make_instance("late", 1, "14:00-18:30"), make_instance("early", 2, "04:00-08:30")
    res = only_failure(run_audits([late, early], {"late": "D1", "early": "D1"}), "rest")
    row = res.rows[0]
    assert (row.driver, row.day, row.instances, row.measured, row.limit, row.rule) == ("D1", 2, ["late", "early"], 570, 660, "R6")


def test_r4_illegal_gap_is_span_regular():
    a, b = make_instance("a", 1, "05:00-09:00"), make_instance("b", 1, "10:30-14:30")  # 90 min gap
    res = only_failure(run_audits([a, b], {"a": "D1", "b": "D1"}), "span_regular")
    assert [(r.rule, r.measured, r.instances) for r in res.rows] == [("R4", 90, ["a", "b"])]


def test_r5_regular_span():
    a, b = make_instance("a", 1, "04:00-10:40"), make_instance("b", 1, "11:25-18:05")  # 400 + 45 + 400 = 845
    res = only_failure(run_audits([a, b], {"a": "D1", "b": "D1"}), "span_regular")
    assert [(r.rule, r.measured, r.limit) for r in res.rows] == [("R5", 845, 840)]


def test_r5_single_tour_too_long():
    a = make_instance("a", 1, "04:00-19:00")  # 900 min alone
    res = only_failure(run_audits([a], {"a": "D1"}), "span_regular")
    assert [(r.rule, r.measured) for r in res.rows] == [("R5", 900)]


def test_r3_four_instances():
    four = [make_instance(f"t{k}", 1, f"{5 + 3 * k:02d}:00-{7 + 3 * k:02d}:30") for k in range(4)]  # 150 min each, 30 min gaps
    res = only_failure(run_audits(four, {i.id: "D1" for i in four}), "span_regular")
    assert [(r.rule, r.measured, r.limit) for r in res.rows] == [("R3", 4, 3)]


def test_r5_split_span():
    a, b = make_instance("a", 1, "05:00-10:00"), make_instance("b", 1, "16:00-21:30")  # 360 break, span 990
    res = only_failure(run_audits([a, b], {"a": "D1", "b": "D1"}), "span_split")
    assert [(r.rule, r.measured, r.limit) for r in res.rows] == [("R5", 990, 960)]


def test_r5_split_tour_line():
    tour = make_instance("s", 1, "04:00-09:00", "15:00-20:30")  # 990 min line
    res = only_failure(run_audits([tour], {"s": "D1"}), "span_split")
    assert [(r.rule, r.measured) for r in res.rows] == [("R5", 990)]


def test_r4_three_instances_with_split_break():
    a, b, c = make_instance("a", 1, "05:00-07:00"), make_instance("b", 1, "07:30-09:30"), make_instance("c", 1, "13:30-15:30")
    res = only_failure(run_audits([a, b, c], {"a": "D1", "b": "D1", "c": "D1"}), "span_split")
    assert [(r.rule, r.instances) for r in res.rows] == [("R4", ["a", "b", "c"])]


def test_r7_fatigue():
    mo = [make_instance("m1", 1, "04:00-06:00"), make_instance("m2", 1, "06:30-08:30"), make_instance("m3", 1, "09:00-11:00")]
    di = [make_instance("d1", 2, "04:00-06:00"), make_instance("d2", 2, "06:30-08:30"), make_instance("d3", 2, "09:00-11:00")]
    res = only_failure(run_audits(mo + di, {i.id: "D1" for i in mo + di}), "fatigue")
    assert [(r.day, r.rule, len(r.instances)) for r in res.rows] == [(2, "R7", 6)]


def test_r8_weekly_hours():
    week = [x for d in range(1, 7) for x in (make_instance(f"{d}a", d, "05:00-09:40"), make_instance(f"{d}b", d, "10:10-14:50"))]  # 12 × 280 = 56 h
    res = only_failure(run_audits(week, {i.id: "D1" for i in week}), "weekly_max")
    assert [(r.rule, r.measured, r.limit) for r in res.rows] == [("R8", 3360, 3300)]


def test_r8_personal_maximum():
    week = [make_instance(f"{d}", d, "05:00-09:30") for d in range(1, 5)]  # 18 h
    driver = DriverSpec(external_id="anna", max_hours_week=15)
    res = only_failure(run_audits(week, {i.id: "anna" for i in week}, drivers=[driver]), "weekly_max")
    assert [(r.rule, r.measured, r.limit) for r in res.rows] == [("R8", 1080, 900)]


def test_r9_working_days():
    week = [make_instance(f"{d}", d, "06:00-07:00") for d in range(1, 8)]
    res = only_failure(run_audits(week, {i.id: "D1" for i in week}), "weekly_max")
    assert [(r.rule, r.measured, r.limit) for r in res.rows] == [("R9", 7, 6)]


def test_r10_availability_and_skill():
    a, b = make_instance("a", 1, "05:00-09:30"), make_instance("b", 3, "05:00-09:30", skill="adr")
    driver = DriverSpec(external_id="anna", unavailable_days=(1,))
    res = only_failure(run_audits([a, b], {"a": "anna", "b": "anna"}, drivers=[driver]), "weekly_max")
    assert [(r.rule, r.instances, r.day) for r in res.rows] == [("R10", ["a"], 1), ("R10", ["b"], 3)]
