"""All four shapes parse to one canonical form; format detection; real weeks."""

from __future__ import annotations

import pytest

from testdata import FIXTURES, shared_file
from engine.ingest import ingest

OPTS = {"tenant": "demo", "site": "wien", "anchor": "2026-01-05"}


@pytest.mark.parametrize(
    ("name", "fmt", "instances"),
    [
        ("valid_contract.json", "json", 7),
        ("valid_contract.csv", "csv", 4),
        ("valid_lines.txt", "text", 8),
        ("valid_export_long.csv", "export", 8),
        ("valid_export_wide.csv", "export", 8),
    ],
)
def test_valid_fixture_of_each_shape_is_detected_and_passes(name, fmt, instances):
    result = ingest((FIXTURES / name).read_bytes(), **OPTS)
    assert result.fmt == fmt
    assert result.report.status == "PASS", result.report.one_line()
    assert result.report.summary.instances == instances
    assert result.report.input_hash.startswith("sha256:")


@pytest.mark.parametrize("name", ["broken_contract.json", "broken_lines.txt", "broken_export.csv"])
def test_broken_fixture_of_each_shape_fails(name):
    assert ingest((FIXTURES / name).read_bytes(), **OPTS).report.status == "FAIL"


def test_long_and_wide_export_give_the_same_canonical_form():
    long = ingest((FIXTURES / "valid_export_long.csv").read_bytes(), **OPTS).forecast
    wide = ingest((FIXTURES / "valid_export_wide.csv").read_bytes(), **OPTS).forecast
    assert long.canonical_json() == wide.canonical_json()
    assert long.input_hash == wide.input_hash


def test_same_week_as_text_and_export_gives_the_same_hash():
    text = b"Mo 05:00-09:30 3\nMo 10:00-14:30 2\nDi 06:15-10:45\nFr 05:00-09:30 2\n"
    export = (FIXTURES / "valid_export_long.csv").read_bytes()
    assert ingest(text, **OPTS).forecast.input_hash == ingest(export, **OPTS).forecast.input_hash


def test_hash_includes_tenant_site_and_anchor():
    data = (FIXTURES / "valid_export_long.csv").read_bytes()
    base = ingest(data, **OPTS).report.input_hash
    assert ingest(data, **{**OPTS, "site": "graz"}).report.input_hash != base
    assert ingest(data, **{**OPTS, "anchor": "2026-01-12"}).report.input_hash != base


def test_export_with_bom_and_stray_spaces_in_headers():
    data = "\ufeffMontag ;Anzahl\n05:00-09:30;2\nFreitag ; Anzahl \n06:00-10:30;1\n".encode()
    result = ingest(data, **OPTS)
    assert result.report.status == "PASS"
    assert result.report.summary.per_day == {"Mo": 2, "Fr": 1}


def test_forced_format_overrides_detection():
    data = (FIXTURES / "valid_lines.txt").read_bytes()
    assert ingest(data, fmt="json", **OPTS).report.status == "FAIL"
    assert ingest(data, fmt="text", **OPTS).report.status == "PASS"


def test_contract_json_keeps_its_own_header_and_a_contradicting_option_fails_naming_both():
    data = (FIXTURES / "valid_contract.json").read_bytes()
    agreeing = ingest(data, tenant="demo", site="wien", anchor="2026-01-05").forecast
    defaults = ingest(data, default_site="graz", default_anchor="2026-01-12").forecast  # defaults never contradict
    for forecast in (agreeing, defaults):
        assert (forecast.tenant_code, forecast.site_code, str(forecast.week_anchor_date)) == ("demo", "wien", "2026-01-05")
    assert agreeing.drivers[0].unavailable_days == (6,)
    result = ingest(data, tenant="other", anchor="2026-12-14")
    assert result.forecast is None and result.report.status == "FAIL"
    assert result.report.error == (
        "--tenant other contradicts the file's tenant_code demo; "
        "--anchor 2026-12-14 contradicts the file's week_anchor_date 2026-01-05"
    )


def test_instances_are_sorted_canonically_with_stable_ids():
    forecast = ingest((FIXTURES / "valid_contract.json").read_bytes()).forecast
    ids = [i.id for i in forecast.instances]
    assert ids == ["T-100-1", "T-100-2", "T-100-3", "T-101-1", "T-101-2", "T-200-1", "T-300-1"]
    night = forecast.instances[-1]
    assert (night.start, night.end) == (2 * 1440 + 1320, 2 * 1440 + 1320 + 270)


def test_real_wien_week_long_and_wide():
    long = ingest(shared_file("wien_week_1385.csv").read_bytes(), **OPTS)
    wide = ingest(shared_file("wien_week_1385_wide.csv").read_bytes(), **OPTS)
    assert long.report.status == "PASS"
    assert long.report.summary.instances == 1385
    assert long.report.summary.total_hours == 6232.5
    assert wide.report.status == "PASS"
    assert wide.report.input_hash == long.report.input_hash


def test_real_kw51_week_four_days():
    result = ingest(shared_file("kw51_week_1272.csv").read_bytes(), tenant="demo", site="wien", anchor="2025-12-15")
    assert result.report.status == "PASS"
    assert result.report.summary.instances == 1272
    assert set(result.report.summary.per_day) == {"Mo", "Di", "Mi", "Fr"}
