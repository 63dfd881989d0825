"""KPIs with their alert bands, and the lower bound: valid, and tight where SPEC says so."""

from __future__ import annotations

from engine.audits import run_audits
from engine.bounds import best_weekly_load, lower_bound, path_cover_bound, per_day_bound
from engine.kpis import compute_kpis, peak_concurrency
from roster_helpers import make_instance, real_week


def test_kpis_of_a_small_plan():
    full = [x for d in range(1, 6) for x in (make_instance(f"{d}a", d, "05:00-09:30"), make_instance(f"{d}b", d, "10:00-14:30"))]  # 45 h
    part = [make_instance("pa", 1, "06:00-10:30")]
    plan = {i.id: "F" for i in full} | {"pa": "P"}
    instances = full + part
    k = compute_kpis(instances, plan, audits=run_audits(instances, plan))
    assert (k.drivers, k.fte_drivers, k.pt_drivers, k.coverage) == (2, 1, 1, 1.0)
    assert (k.max_hours, k.min_hours, k.total_hours) == (45.0, 4.5, 49.5)
    assert k.block_mix == {"1er": 1, "2er_regular": 5, "2er_split": 0, "3er": 0}
    assert k.peak_concurrency["1"] == 2
    status = {c.name: c.status for c in k.checks}
    assert status["pt_ratio"] == "ALERT" and status["fte_ratio"] == "ALERT" and status["audits"] == "OK"
    assert k.has_warnings


def test_kpis_without_warnings_and_coverage_alert():
    week = [x for d in range(1, 6) for x in (make_instance(f"{d}a", d, "05:00-09:30"), make_instance(f"{d}b", d, "10:00-14:30"))]
    k = compute_kpis(week, {i.id: "F" for i in week})
    assert not k.has_warnings and k.fte_ratio == 1.0
    partial = compute_kpis(week, {i.id: "F" for i in week[:-1]})
    assert partial.coverage < 1 and partial.has_warnings


def test_peak_concurrency_counts_segments():
    tours = [make_instance("a", 1, "05:00-09:00"), make_instance("b", 1, "08:00-12:00"), make_instance("s", 1, "06:00-07:00", "08:30-10:00")]
    assert peak_concurrency(tours) == {"1": 3}
    in_break = [make_instance("b", 2, "08:00-12:00"), make_instance("s", 2, "05:00-07:00", "13:00-15:00")]
    assert peak_concurrency(in_break) == {"2": 1}


def test_rest_cut_drives_the_path_cover():
    """Friday's late tours and Saturday's early tours cannot share a driver (SPEC §5)."""
    late = [make_instance(f"fr{k}", 5, "18:00-22:30") for k in range(3)]
    early = [make_instance(f"sa{k}", 6, "05:00-09:30") for k in range(2)]
    assert path_cover_bound(late + early) == 5
    assert per_day_bound(late + early) == 3
    assert lower_bound(late + early).value == 5


def test_same_day_links_shorten_the_cover():
    tours = [make_instance("a", 1, "05:00-09:30"), make_instance("b", 1, "10:00-14:30"), make_instance("c", 1, "15:00-19:30"), make_instance("d", 2, "09:00-13:30")]
    assert path_cover_bound(tours) == 1


def test_hours_bound_uses_real_tour_lengths():
    tours = [make_instance(f"{d}{k}", d, f"{5 + 5 * k:02d}:00-{9 + 5 * k:02d}:30") for d in range(1, 7) for k in range(3)]
    assert best_weekly_load(tours) == 12 * 270  # 54 h: 55 h is not a sum of 4.5 h tours
    lb = lower_bound(tours)
    assert lb.hours == 2 and lb.value >= lb.hours
    assert lb.gap(3) == 0.5


def test_real_weeks_bounds():
    wien = lower_bound(real_week("wien").instances)
    assert (wien.path_cover, wien.hours, wien.value) == (142, 116, 142)
    kw51 = lower_bound(real_week("kw51").instances)
    assert kw51.value == 225
