"""The solver on the week shapes customers send: varied durations, split and night tours, 4–7 days,
named drivers; the LP bound; legal block windows; bounded, cancellable, observable, deterministic."""

from __future__ import annotations

import itertools
import json
import logging
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import rules
from engine.audits import run_audits
from engine.ingest import ingest
from engine.models import DriverSpec
from engine.rules import DEFAULT_CONFIG, Piece
from engine.solver import solve
from engine.solver.blocks import enumerate_blocks
from fixtures.generator import WeekShape, generate_contract, generate_week
from roster_helpers import make_forecast, make_instance

REPO = Path(__file__).resolve().parents[2]


def _week(tours: int, seed: int = 7, **shape):
    result = ingest(generate_week(tours, seed=seed, shape=WeekShape(**shape)).encode(), tenant="demo", site="wien", anchor=date(2026, 1, 5))
    assert result.forecast is not None, result.report.one_line()
    return result.forecast


def _named(tours: int, drivers: int, seed: int = 7, **shape):
    text = generate_contract(tours, seed=seed, shape=WeekShape(varied=True, skill_share=0.1, **shape), drivers=drivers)
    result = ingest(text.encode(), tenant="demo", site="wien", anchor=None)
    assert result.forecast is not None, result.report.one_line()
    return result.forecast


def _legal(result) -> bool:
    return all(a.status == "PASS" for a in result.audits) and result.kpis.coverage == 1.0


@pytest.mark.parametrize(
    "tours, shape",
    [
        (400, {"varied": True}),
        (400, {"varied": True, "split_share": 0.06, "night_share": 0.05}),
        (300, {"varied": True, "days": 7}),
        (300, {"days": 4, "split_share": 0.1}),
    ],
    ids=["varied", "varied-split-night", "varied-7-days", "4-days-split"],
)
def test_customer_shapes_reach_the_bound_legally(tours, shape):
    result = solve(_week(tours, **shape), time_limit=30)
    assert _legal(result) and not result.wall_limited
    assert result.kpis.drivers == result.lower_bound.value, [s.model_dump() for s in result.stages]
    assert result.kpis.max_hours <= 55


def test_varied_week_is_not_one_driver_per_tour():
    forecast = _week(600, varied=True)
    result = solve(forecast, time_limit=30)
    fridays = sum(1 for i in forecast.instances if i.day == 5)
    assert result.kpis.drivers == result.lower_bound.value < 0.7 * fridays
    assert result.pt_lower_bound <= result.kpis.pt_drivers <= 0.1 * result.kpis.drivers


def test_lp_bound_is_tighter_than_the_path_cover_where_triples_are_too_long():
    # a→b→c chain by regular gaps, but the three together span 990 min (> 960): two drivers are needed
    tours = [make_instance("a", 1, "00:30-05:30"), make_instance("b", 1, "06:00-11:00"), make_instance("c", 1, "11:30-17:00")]
    result = solve(make_forecast(tours), time_limit=5)
    lb = result.lower_bound
    assert (lb.path_cover, lb.lp, lb.value, result.kpis.drivers) == (1, 2.0, 2, 2)
    assert result.status == "OPTIMAL"


def test_a_split_tour_is_a_block_of_its_own():
    split = make_instance("s", 1, "06:00-09:00", "13:30-16:00")
    linkable = make_instance("x", 1, "16:30-19:00")  # 30 min after the split tour: a regular gap, but R3 forbids it
    result = solve(make_forecast([split, linkable]), time_limit=5)
    assert _legal(result) and result.assignments["s"] != result.assignments["x"]
    assert not rules.check_block([Piece(split.start, split.end, True), Piece(linkable.start, linkable.end)]).legal


_QUARTERS = st.integers(min_value=16, max_value=80).map(lambda q: q * 15)


@settings(max_examples=40, deadline=None)
@given(starts=st.lists(_QUARTERS, min_size=1, max_size=9), lengths=st.lists(st.sampled_from([90, 150, 240, 300, 420]), min_size=9, max_size=9),
       split=st.lists(st.booleans(), min_size=9, max_size=9))
def test_enumeration_finds_exactly_the_legal_blocks(starts, lengths, split):
    tours = []
    for k, s in enumerate(starts):
        ranges = [f"{s // 60:02d}:{s % 60:02d}-{(s + lengths[k]) // 60 % 24:02d}:{(s + lengths[k]) % 60:02d}"]
        if split[k] and s + lengths[k] + 300 < 1440 - 60:
            e = s + lengths[k] + 240
            ranges.append(f"{e // 60:02d}:{e % 60:02d}-{(e + 60) // 60:02d}:{(e + 60) % 60:02d}")
        tours.append(make_instance(f"t{k}", 1, *ranges))
    db = enumerate_blocks(tours, DEFAULT_CONFIG)
    found = {tuple(sorted(db.tours[t].instance_ids[0] for t in b.tours)) for b in db.blocks}
    by_id = {i.id: i for i in tours}
    brute = set()
    for n in (1, 2, 3):
        for combo in itertools.combinations(sorted(by_id), n):
            pieces = [Piece(by_id[i].start, by_id[i].end, by_id[i].is_split) for i in combo]
            if rules.check_block(pieces).legal and all(
                rules.classify_gap(b.start - a.end) in ("regular", "split")
                for a, b in zip(sorted(pieces, key=lambda p: p.start), sorted(pieces, key=lambda p: p.start)[1:])
            ):
                brute.add(combo)
    # instances with identical segments merge into one tour type, so compare on distinct shapes only
    if len({(i.segments) for i in tours}) == len(tours):
        assert found == brute


def test_named_drivers_are_planned_and_audited_with_their_rules():
    forecast = _named(500, 75)
    result = solve(forecast, time_limit=30)
    named = {d.external_id: d for d in forecast.drivers}
    assert _legal(result)
    assert [a.status for a in run_audits(forecast.instances, result.assignments, DEFAULT_CONFIG, forecast.drivers)] == ["PASS"] * 7
    by_id = {i.id: i for i in forecast.instances}
    used = set(result.assignments.values())
    assert used & set(named), "the plan assigns real people"
    for iid, driver in result.assignments.items():
        if driver in named:
            inst = by_id[iid]
            assert inst.day not in named[driver].unavailable_days and inst.skill in named[driver].skills
    open_ids = {s.driver_id for s in result.standins}
    assert open_ids == used - set(named)
    assert not open_ids & set(named)


def test_a_short_roster_reports_its_stand_ins_by_day():
    forecast = _named(300, 8)
    result = solve(forecast, time_limit=20)
    assert _legal(result)
    assert result.standins and all(s.driver_id.startswith("open-") and s.days for s in result.standins)
    hours = sum(s.hours for s in result.standins)
    assert hours > 0 and result.kpis.drivers == len(set(result.assignments.values()))


def test_stand_in_ids_never_collide_with_named_ids():
    tours = [make_instance(f"t{d}", d, "05:00-09:30") for d in range(1, 4)]
    forecast = make_forecast(tours).model_copy(update={"drivers": [DriverSpec(external_id="open-01", unavailable_days=(1, 2, 3))]})
    result = solve(forecast, time_limit=5)
    assert _legal(result)
    assert "open-01" not in result.assignments.values()
    assert {s.driver_id for s in result.standins} == set(result.assignments.values())


def test_part_time_contracts_are_not_counted_as_part_timers_by_the_objective():
    tours = [make_instance(f"t{d}", d, "05:00-09:30") for d in range(1, 5)]  # 18 h of work: one driver
    pt = DriverSpec(external_id="anna", contract_type="part_time", max_hours_week=20)
    forecast = make_forecast(tours).model_copy(update={"drivers": [pt]})
    result = solve(forecast, time_limit=5)
    assert set(result.assignments.values()) == {"anna"} and not result.standins


def test_personal_max_hours_hold():
    tours = [make_instance(f"t{d}", d, "05:00-09:30") for d in range(1, 7)]  # 27 h over six days
    capped = DriverSpec(external_id="bob", max_hours_week=10)
    forecast = make_forecast(tours).model_copy(update={"drivers": [capped]})
    result = solve(forecast, time_limit=5)
    assert _legal(result)
    assert sum(1 for d in result.assignments.values() if d == "bob") <= 2  # 2 × 4.5 h ≤ 10 h


def test_time_limit_is_honoured_on_a_big_varied_week():
    forecast = _week(2500, varied=True)
    started = time.monotonic()
    result = solve(forecast, time_limit=5)
    assert time.monotonic() - started < 8.0  # the 6 s bar itself is measured in benchmarks/bench_solver.py, not here
    assert _legal(result)
    assert result.wall_limited and result.status in ("TIME_LIMIT", "OPTIMAL")


def test_cancel_is_honoured_within_a_second_in_any_phase():
    forecast = _week(1385, varied=True)
    for after in (0.2, 1.5):
        cancel = threading.Event()
        timer = threading.Timer(after, cancel.set)
        started = time.monotonic()
        timer.start()
        result = solve(forecast, time_limit=60, cancel=cancel)
        waited = time.monotonic() - started - after
        assert waited < 1.5, (after, waited)  # ≤ 1 s measured by the benchmark; slack here for a loaded machine
        assert result.status in ("STOPPED", "OPTIMAL") and _legal(result)


def test_heartbeat_at_least_every_second_with_phase():
    beats = []
    solve(_week(1385, varied=True), time_limit=30, progress=lambda hb: beats.append((time.monotonic(), hb.phase)))
    gaps = [b[0] - a[0] for a, b in zip(beats, beats[1:])]
    assert max(gaps) <= 1.5  # beats every 0.5 s; slack for a loaded machine
    assert {"blocks", "construct", "moves (first plan)"} <= {p for _, p in beats}


def test_stages_are_logged(caplog):
    with caplog.at_level(logging.INFO, logger="engine.solver"):
        result = solve(_week(200, varied=True), time_limit=10)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "engine.solver")
    assert all(f"stage {st.name}:" in logged for st in result.stages if st.status != "SKIPPED")


_DETERMINISM = """
import sys, json
from datetime import date
sys.path.insert(0, {repo!r})
from engine.ingest import ingest
from engine.solver import solve
from fixtures.generator import WeekShape, generate_week
f = ingest(generate_week(500, seed=11, shape=WeekShape(varied=True, split_share=0.05)).encode(), tenant="demo", site="wien", anchor=date(2026, 1, 5)).forecast
r = solve(f, time_limit=40)
print(json.dumps({{"hash": r.output_hash, "wall": r.wall_limited}}))
"""


def test_same_input_same_hash_in_separate_processes_and_under_load():
    code = _DETERMINISM.format(repo=str(REPO))
    alone = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    crowd = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [json.loads(p.communicate(timeout=240)[0]) for p in crowd]
    first = json.loads(alone.stdout)
    assert not first["wall"] and all(not o["wall"] for o in outs)
    assert {o["hash"] for o in outs} == {first["hash"]}
