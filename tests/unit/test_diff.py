"""Diff of two known plan versions and of two forecast versions; the churn formula."""

from __future__ import annotations

from engine.diff import diff_forecasts, diff_plans
from engine.models import Instance
from engine.solver.repair import churn


def inst(iid: str, day: int, start: int) -> Instance:
    s = (day - 1) * 1440 + start
    return Instance(id=iid, external_id=iid, instance_no=1, day=day, start=s, end=s + 270, segments=((s, s + 270),))


A = [inst("a", 1, 300), inst("b", 1, 600), inst("c", 2, 300), inst("d", 3, 300)]


def test_diff_of_two_known_versions() -> None:
    before = {"a": "D1", "b": "D1", "c": "D2", "d": "D3"}
    after = {"a": "D1", "b": "D4", "c": "D2", "d": "D4"}
    d = diff_plans(A, before, {"drivers": 3, "coverage": 1.0}, A, after, {"drivers": 3, "coverage": 1.0})
    assert [(m.instance_id, m.from_driver, m.to_driver) for m in d.moved] == [("b", "D1", "D4"), ("d", "D3", "D4")]
    assert d.drivers_changed == ["D1", "D3", "D4"]
    assert d.standins_added == ["D4"] and d.standins_removed == ["D3"]
    assert d.kpi_deltas == {"drivers": 0.0, "coverage": 0.0}
    assert d.churn == 0.5


def test_diff_with_instances_only_in_one_version() -> None:
    b = [*A[:3], inst("e", 4, 300)]
    d = diff_plans(A, {"a": "D1", "b": "D1", "c": "D2", "d": "D3"}, {"drivers": 3}, b,
                   {"a": "D1", "b": "D1", "c": "D2", "e": "D3"}, {"drivers": 3})
    assert d.moved == [] and d.only_in_a == ["d"] and d.only_in_b == ["e"] and d.drivers_changed == ["D3"]


def test_churn_is_changed_over_parent_instances() -> None:
    parent = {"a": "D1", "b": "D1", "c": "D2", "d": "D3"}
    assert churn(parent, {"a": "D1", "b": "D9", "c": "D2", "d": "D3", "new": "D4"}) == 0.25
    assert churn(parent, {"a": "D1"}) == 0.75  # an instance the repair leaves out counts as changed
    assert churn({}, {"a": "D1"}) == 0.0


def test_forecast_diff_days_added_removed_changed() -> None:
    partial = [inst("a", 1, 300), inst("b", 2, 300)]
    full = [inst("a", 1, 300), inst("b", 2, 330), inst("c", 3, 300)]
    d = diff_forecasts(partial, full)
    assert d.days_a == [1, 2] and d.days_b == [1, 2, 3]
    assert d.added == ["c"] and d.removed == [] and [c.instance_id for c in d.changed] == ["b"]
    assert "05:30" in d.changed[0].after and "05:00" in d.changed[0].before
