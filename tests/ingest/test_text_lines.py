"""Text lines: each error code with its line number, split and night tours."""

from __future__ import annotations

import pytest

from engine.ingest import ingest
from engine.parsers.text_lines import parse_text_lines

OPTS = {"tenant": "demo", "site": "wien", "anchor": "2026-01-05"}


@pytest.mark.parametrize(
    ("line", "code", "gate"),
    [
        ("07:00-11:00 2 Fahrer", "MISSING_DAY", "HG-006"),
        ("Xx 07:00-11:00", "MISSING_DAY", "HG-006"),
        ("Di 5.00-9.30", "INVALID_TIME_FORMAT", "HG-007"),
        ("Di 05:00-9h", "INVALID_TIME_FORMAT", "HG-008"),
        ("Mi 25:00-09:00", "INVALID_HOUR", "HG-007"),
        ("Mi 05:00-29:00", "INVALID_HOUR", "HG-008"),
        ("Do 06:75-10:00", "INVALID_MINUTE", "HG-007"),
        ("Fr 06:00", "INVALID_TIME_RANGE", "HG-008"),
        ("Fr 06:00-10:00 + 09:00-12:00", "INVALID_TIME_RANGE", "HG-008"),
        ("Sa 06:00-09:00 + 13:00", "INVALID_SPLIT_FORMAT", "HG-008"),
        ("Sa 06:00-09:00 + 13:00-14:00 + 15:00-16:00", "INVALID_SPLIT_FORMAT", "HG-008"),
    ],
)
def test_error_code_and_line_number(line, code, gate):
    text = f"# header comment\n\nMo 05:00-09:30\n{line}\n"
    raw = parse_text_lines(text)
    assert [(e.code, e.line) for e in raw.line_errors] == [(code, 4)]
    report = ingest(text.encode(), **OPTS).report
    assert report.status == "FAIL"
    g = report.gate(gate)
    assert g.status == "FAIL" and g.rows[0].code == code and g.rows[0].line == 4


def test_zero_count_is_invalid_count():
    report = ingest(b"Mo 05:00-09:30 0 Fahrer\n", **OPTS).report
    assert report.gate("HG-006").rows[0].code == "INVALID_COUNT"


def test_split_tour_is_one_instance_with_two_segments():
    result = ingest(b"Di 06:00-09:00 + 14:00-17:00 2 Fahrer Depot Nord\n", **OPTS)
    assert result.report.status == "PASS"
    inst = result.forecast.instances
    assert len(inst) == 2
    first = inst[0]
    assert first.is_split and first.day == 2 and first.depot == "Nord"
    assert first.segments == ((1440 + 360, 1440 + 540), (1440 + 840, 1440 + 1020))
    assert first.work_minutes == 360
    assert first.id == "Di-0600-0900+1400-1700-Nord-1"


def test_night_tour_crosses_midnight_and_belongs_to_its_start_day():
    result = ingest(b"So 22:00-02:30\nMi 23:15-03:45 Driver\n", **OPTS)
    assert result.report.status == "PASS"
    sunday = next(i for i in result.forecast.instances if i.day == 7)
    assert (sunday.start, sunday.end) == (6 * 1440 + 1320, 6 * 1440 + 1320 + 270)
    assert all(g.status == "PASS" for g in result.report.gates)


def test_day_tokens_long_and_short_any_case_counts_depot_notes():
    text = "montag 05:00-09:30 3 Fahrer Depot Nord Kühlware bitte\nSO 10:00-14:00 2\nFreitag 6:15-10:45 Driver\n"
    result = ingest(text.encode(), **OPTS)
    assert result.report.status == "PASS"
    assert result.report.summary.per_day == {"Mo": 3, "Fr": 1, "So": 2}
    assert result.report.summary.instances == 6


def test_ids_are_deterministic_and_identical_lines_merge():
    a = ingest(b"Mo 05:00-09:30 2\nMo 05:00-09:30 1\n", **OPTS).forecast
    b = ingest(b"Mo 05:00-09:30 3 Fahrer\n", **OPTS).forecast
    assert [i.id for i in a.instances] == ["Mo-0500-0930-1", "Mo-0500-0930-2", "Mo-0500-0930-3"]
    assert a.input_hash == b.input_hash


def test_text_lines_have_no_default_warnings():
    report = ingest(b"Mo 05:00-09:30\n", **OPTS).report
    assert report.status == "PASS"


def test_sg006_a_count_above_ten_on_a_text_line_warns():
    from engine.ingest import ingest

    text = b"Mo 06:00-10:00 50 Fahrer\nDi 06:00-10:00 10 Fahrer\n"
    report = ingest(text, tenant="acme", site="wien", anchor="2026-01-05").report
    sg6 = next(g for g in report.gates if g.id == "SG-006")
    assert report.status == "WARN" and (sg6.status, sg6.count) == ("WARN", 1)
    assert (sg6.rows[0].line, sg6.rows[0].code) == (1, "HIGH_COUNT")
    assert sg6.rows[0].message == "50 drivers on one line (over 10: check it is not a typo)"
    # the contract's own shapes carry counts on purpose: no SG-006 there
    csv = b"external_id,day,start_time,end_time,count,depot,skill\nA,1,06:00,10:00,50,default,standard\n"
    report = ingest(csv, tenant="acme", site="wien", anchor="2026-01-05").report
    assert next(g for g in report.gates if g.id == "SG-006").status == "PASS"
