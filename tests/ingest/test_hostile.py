"""How big an input may be, and what a number is: hostile counts, digit strings and encodings.

Each case was accepted (or crashed, or grew past 1.7 GB) before: counts are capped per line and per
forecast before anything is expanded, numbers are ASCII digits and whole, a code matches in full,
a JSON key appears once, and the messages name the line and the limit.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.contract import MAX_COUNT, MAX_INSTANCES
from engine.ingest import ingest

OPTS = {"tenant": "acme", "site": "wien", "anchor": "2026-01-05"}


def rows(result, gate: str = "HG-006") -> list[tuple[str, str, str]]:
    return [(r.position, r.code, r.message) for r in result.report.gate(gate).rows]


def contract(count: object = 1, **doc: object) -> bytes:
    tour = {"external_id": "A", "day": 1, "start_time": "06:00", "end_time": "10:00", "count": count,
            "depot": "nord", "skill": "standard"}
    base = {"tenant_code": "acme", "site_code": "wien", "week_anchor_date": "2026-01-05", "tours": [tour]}
    return json.dumps(base | doc).encode()


@pytest.mark.parametrize("line", ["Mo 05:00-09:00 999999999 Fahrer", "Mo 05:00-09:00 1001 Fahrer"])
def test_a_line_count_over_the_limit_fails_with_line_and_limit(line: str):
    r = ingest(f"{line}\n".encode(), **OPTS)
    assert r.report.status == "FAIL" and r.forecast is None
    assert rows(r) == [("line 1", "COUNT_TOO_LARGE", f"count {line.split()[2]!r} is over the limit of 1,000 per line")]


def test_a_forecast_over_the_instance_limit_fails_before_expanding():
    lines = "".join(f"{d} {h:02d}:00-{h + 4:02d}:00 1000 Fahrer\n" for d in ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
                    for h in range(4, 12))  # 56 lines × 1,000 = 56,000 instances
    r = ingest(lines.encode(), **OPTS)
    assert r.report.status == "FAIL"
    assert ("file", "TOO_MANY_INSTANCES", f"the forecast would expand to 56,000 instances, over the limit of {MAX_INSTANCES:,}") in rows(r)


def test_the_limits_themselves_pass():
    r = ingest(f"Mo 05:00-09:00 {MAX_COUNT} Fahrer\n".encode(), **OPTS)
    warned = {g.id for g in r.report.gates if g.status != "PASS"}
    assert r.report.status == "WARN" and warned == {"SG-006"} and len(r.forecast.instances) == MAX_COUNT  # only the typo warning


@pytest.mark.parametrize(
    ("count", "code"),
    [("9" * 5000, "COUNT_TOO_LARGE"), ("1" + "0" * 18, "COUNT_TOO_LARGE"), ("1e300", "COUNT_TOO_LARGE"),
     ("1e18", "COUNT_TOO_LARGE"), ("2.5", "INVALID_COUNT"), ('"３"', "INVALID_COUNT"), ('"1_000"', "INVALID_COUNT"),
     ('"1e9"', "INVALID_COUNT"), ("0", "INVALID_COUNT"), ("-3", "INVALID_COUNT")],
)
def test_json_counts(count: str, code: str):
    data = contract().decode().replace('"count": 1', f'"count": {count}').encode()
    r = ingest(data)
    assert r.report.status == "FAIL" and [c for _, c, _ in rows(r)] == [code], rows(r)
    assert all(len(message) < 120 for _, _, message in rows(r))  # a 5,000-digit number is shown shortened


@pytest.mark.parametrize("token", ["2.5", "1e9", "abc", "1_000", "３", "٣", "2,5"])
def test_text_counts_that_are_not_whole_ascii_numbers_fail(token: str):
    r = ingest(f"Mo 05:00-09:00 {token} Fahrer\nDi 06:00-10:00 2 Fahrer\n".encode(), **OPTS)
    assert r.report.status == "FAIL", r.report.one_line()
    assert [(p, c) for p, c, _ in rows(r)] == [("line 1", "INVALID_COUNT")]


@pytest.mark.parametrize("text", ["Mo ٠٦:٠٠-09:00 2 Fahrer", "Mo ０６:００-09:00 2 Fahrer"])
def test_unicode_digits_are_not_times(text: str):
    r = ingest(f"{text}\n".encode(), **OPTS)
    assert r.report.status == "FAIL" and r.report.gate("HG-007").count == 1


@pytest.mark.parametrize("field", ["tenant_code", "site_code"])
def test_codes_must_match_in_full(field: str):
    r = ingest(contract(**{field: "acme\n" if field == "tenant_code" else "wien\n"}))
    gate = "HG-001" if field == "tenant_code" else "HG-002"
    assert r.report.status == "FAIL" and r.report.gate(gate).count == 1


def test_a_duplicate_json_key_fails_naming_the_key():
    data = b'{"tenant_code": "acme", "site_code": "wien", "site_code": "graz", "week_anchor_date": "2026-01-05", "tours": []}'
    r = ingest(data)
    assert r.report.status == "FAIL" and "duplicate JSON key 'site_code'" in r.report.error


def test_utf16_without_a_bom_is_read():
    text = "Mo 06:00-10:00 2 Fahrer\nDi 06:00-10:00 3 Fahrer\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        r = ingest(text.encode(encoding), **OPTS)
        assert r.report.status == "PASS" and len(r.forecast.instances) == 5, (encoding, r.report.one_line())


def test_binary_names_the_offset_of_the_first_nul():
    r = ingest(b"Mo 06:00\x00\x01\x02\xff binary", **OPTS)
    assert r.report.status == "FAIL" and "NUL byte at offset 8" in r.report.error


@pytest.mark.parametrize(
    ("drivers", "words"),
    [([{"external_id": "D1"}, {"external_id": "D2", "max_hours_week": "lots"}], "drivers[1]: max_hours_week"),
     ([{"name": "no id"}], "drivers[0]: external_id"), (["D1"], "drivers[0] must be an object")],
)
def test_driver_list_errors_name_index_and_field(drivers, words: str):
    r = ingest(contract(drivers=drivers))
    assert r.report.status == "FAIL" and words in r.report.error, r.report.error


# --- property: hostile counts never cost more than the limits allow ---------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.lists(
        st.one_of(
            st.integers(min_value=-10, max_value=10**30).map(str),
            st.sampled_from(["1e9", "1e300", "9" * 4400, "2.5", "1_000", "３", "0x10", "+7", "007"]),
        ),
        min_size=1, max_size=12,
    ),
    shape=st.sampled_from(["text", "json", "csv", "export"]),
)
def test_hostile_counts_are_bounded_in_memory_and_time(counts: list[str], shape: str):
    if shape == "text":
        data = "".join(f"Mo {4 + k % 15:02d}:00-{5 + k % 15:02d}:00 {c} Fahrer\n" for k, c in enumerate(counts)).encode()
    elif shape == "json":
        tours = ",".join(f'{{"external_id":"T{k}","day":1,"start_time":"06:00","end_time":"10:00","count":{c if c.lstrip("+-").isdigit() else json.dumps(c)}}}'
                         for k, c in enumerate(counts))
        data = f'{{"tenant_code":"acme","site_code":"wien","week_anchor_date":"2026-01-05","tours":[{tours}]}}'.encode()
    elif shape == "csv":
        data = ("external_id,day,start_time,end_time,count\n"
                + "".join(f"T{k},1,06:00,10:00,{c}\n" for k, c in enumerate(counts))).encode()
    else:
        data = ("Montag;Anzahl\n" + "".join(f"{4 + k % 15:02d}:00-{5 + k % 15:02d}:00;{c}\n" for k, c in enumerate(counts))).encode()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        r = ingest(data, **OPTS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert r.report.status in ("PASS", "WARN", "FAIL")
    if r.forecast is not None:
        assert len(r.forecast.instances) <= MAX_INSTANCES
        assert all(i.instance_no <= MAX_COUNT for i in r.forecast.instances)
    # 12 lines × 1,000 instances at most: well under 64 MB and 5 s even on a loaded machine
    assert peak < 64 * 2**20, peak
    assert elapsed < 5, elapsed
