"""Files that are no forecast at all: FAIL with a one-line reason, never an exception."""

from __future__ import annotations

import pytest

from engine.ingest import ingest


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        ("Montag;Anzahl\nKäse;1\n".encode("latin-1"), "not UTF-8"),
        (b"hello world\nthis is a letter\n", "not a forecast"),
        (b"{\"tenant_code\": ", "invalid JSON"),
        (b"[1, 2, 3]", "must be an object"),
        (b"external_id,day\nA,1\n", "lacks column"),
    ],
)
def test_unreadable_input_fails_with_reason(data, needle):
    report = ingest(data, tenant="demo", site="wien", anchor="2026-01-05").report
    assert report.status == "FAIL"
    assert needle in report.error
    assert "\n" not in report.error
    assert [g.id for g in report.gates][:8] == [f"HG-00{i}" for i in range(1, 9)]


def test_unknown_forced_format():
    assert ingest(b"Mo 05:00-09:00", fmt="xml").report.status == "FAIL"
