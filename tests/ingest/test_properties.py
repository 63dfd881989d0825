"""Property-based: arbitrary bytes and mutations of valid files never raise."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from testdata import FIXTURES
from engine.ingest import ingest
from engine.parsers import FORMATS

VALID = [(FIXTURES / n).read_bytes() for n in (
    "valid_contract.json", "valid_contract.csv", "valid_lines.txt", "valid_export_long.csv", "valid_export_wide.csv",
)]
OPTS = {"tenant": "demo", "site": "wien", "anchor": "2026-01-05"}


def assert_well_formed(result) -> None:
    assert result.report.status in ("PASS", "WARN", "FAIL")
    assert len(result.report.gates) == 14  # HG-001..008, SG-001..006
    if result.report.status == "FAIL":
        assert result.forecast is None
    else:
        assert result.forecast is not None
        assert result.report.input_hash == result.forecast.input_hash
        assert result.report.summary.instances == len(result.forecast.instances)
        for inst in result.forecast.instances:
            assert inst.start <= inst.end and 1 <= inst.day <= 7


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(("auto", *FORMATS)))
@example(b"\x1f", "auto")  # a control character is whitespace to str.strip() but not to strip(" ;\t")
@example(b";\x1c;\n\x1f 1", "auto")
def test_arbitrary_bytes_never_raise(data, fmt):
    assert_well_formed(ingest(data, fmt=fmt, **OPTS))


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(("flip", "insert", "delete", "dup_line")))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from([b";", b"-", b":", b"\n", b"+", b"99", b"\"", b",", b"{", b"Mo "]))
        elif op == "delete" and data:
            del data[pos : pos + draw(st.integers(1, 5))]
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(mutated())
def test_mutations_of_valid_files_never_raise(data):
    assert_well_formed(ingest(data, **OPTS))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 7), st.integers(0, 1439), st.integers(0, 1439), st.integers(1, 4)),
        min_size=1,
        max_size=30,
    )
)
def test_generated_text_lines_roundtrip(rows):
    text = "\n".join(f"Mo {s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d} {n} Fahrer".replace("Mo", ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")[d - 1]) for d, s, e, n in rows)
    result = ingest(text.encode(), **OPTS)
    assert result.report.status in ("PASS", "WARN")
    assert result.report.summary.instances == sum(n for *_, n in rows)
