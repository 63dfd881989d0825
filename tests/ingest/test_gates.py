"""Every gate of the import contract: a passing and a failing case."""

from __future__ import annotations

import json

import pytest

from engine.contract import GATES
from engine.ingest import ingest

BASE = {
    "tenant_code": "demo",
    "site_code": "wien",
    "week_anchor_date": "2026-01-05",
}
FULL_TOUR = {"external_id": "T1", "day": 1, "start_time": "05:00", "end_time": "09:30", "count": 1, "depot": "nord", "skill": "standard"}


def run(doc: dict) -> dict:
    report = ingest(json.dumps(doc).encode()).report
    return {g.id: g for g in report.gates} | {"status": report.status}


def doc_with(tour_changes: dict | None = None, **header) -> dict:
    tour = {**FULL_TOUR, **(tour_changes or {})}
    tour = {k: v for k, v in tour.items() if v is not ...}
    return {**BASE, **header, "tours": [tour]}


def test_clean_document_passes_every_gate_and_lists_all_thirteen():
    gates = run(doc_with())
    assert gates["status"] == "PASS"
    assert [g for g in gates if g != "status"] == list(GATES)
    assert all(gates[g].status == "PASS" for g in GATES)


@pytest.mark.parametrize(
    ("gate", "header", "tour"),
    [
        ("HG-001", {"tenant_code": "X"}, None),
        ("HG-001", {"tenant_code": ...}, None),
        ("HG-002", {"site_code": "9site"}, None),
        ("HG-002", {"site_code": ...}, None),
        ("HG-003", {"week_anchor_date": "2026-01-06"}, None),  # a Tuesday
        ("HG-003", {"week_anchor_date": "2026-02-30"}, None),
        ("HG-003", {"week_anchor_date": ...}, None),
        ("HG-006", {}, {"day": 0}),
        ("HG-006", {}, {"day": "Mo"}),
        ("HG-006", {}, {"count": 0}),
        ("HG-006", {}, {"count": 1.5}),
        ("HG-007", {}, {"start_time": "5 Uhr"}),
        ("HG-007", {}, {"start_time": ...}),
        ("HG-008", {}, {"end_time": "24:00"}),
        ("HG-008", {}, {"end_time": "09:60"}),
    ],
)
def test_hard_gate_fails(gate, header, tour):
    doc = doc_with(tour)
    for key, value in header.items():
        if value is ...:
            doc.pop(key)
        else:
            doc[key] = value
    gates = run(doc)
    assert gates[gate].status == "FAIL"
    assert gates[gate].count == 1
    assert gates["status"] == "FAIL"
    assert sum(gates[g].status == "FAIL" for g in GATES) == 1, "only the named gate fails"


def test_hg004_no_tours():
    gates = run({**BASE, "tours": []})
    assert gates["HG-004"].status == "FAIL"


def test_hg005_duplicate_names_both_positions_and_missing_id():
    doc = {**BASE, "tours": [FULL_TOUR, FULL_TOUR, {**FULL_TOUR, "external_id": None}]}
    gate = run(doc)["HG-005"]
    assert gate.status == "FAIL" and gate.count == 2
    dup = next(r for r in gate.rows if r.code == "DUPLICATE_ID")
    assert dup.position == "tours[1]" and "tours[0]" in dup.message
    assert any(r.code == "MISSING_ID" and r.position == "tours[2]" for r in gate.rows)


@pytest.mark.parametrize(
    ("gate", "tour"),
    [
        ("SG-001", {"count": ...}),
        ("SG-002", {"depot": ...}),
        ("SG-003", {"skill": ...}),
        ("SG-004", {"start_time": "04:00", "end_time": "21:00"}),  # 17 h
        ("SG-004", {"start_time": "05:00", "end_time": "05:00"}),  # zero length
        ("SG-005", {"lat": 52.52, "lng": 13.40}),  # Berlin
        ("SG-005", {"lat": 48.2}),  # only one coordinate
    ],
)
def test_soft_gate_warns(gate, tour):
    gates = run(doc_with(tour))
    assert gates[gate].status == "WARN" and gates[gate].count == 1
    assert gates["status"] == "WARN"


def test_normal_night_tour_is_not_a_warning():
    gates = run(doc_with({"start_time": "22:00", "end_time": "06:00", "lat": 48.2, "lng": 16.4}))
    assert gates["status"] == "PASS"


def test_findings_are_grouped_with_count_and_first_rows():
    tours = [{**FULL_TOUR, "external_id": f"T{i}", "day": 9} for i in range(40)]
    gate = run({**BASE, "tours": tours})["HG-006"]
    assert gate.count == 40
    assert len(gate.rows) == 10
    assert gate.rows[0].position == "tours[0]"


def test_fail_forecast_has_no_hash_and_no_forecast():
    result = ingest(json.dumps(doc_with({"day": 9})).encode())
    assert result.forecast is None and result.report.input_hash is None
