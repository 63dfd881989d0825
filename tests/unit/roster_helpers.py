"""Helpers for the rule, audit, KPI, bound and solver tests: tiny instances and real weeks.

A plain module (not a conftest) so it never shadows the shared `conftest` import.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.ingest import ingest
from engine.models import CanonicalForecast, Instance

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REAL_WEEKS = {"wien": ("wien_week_1385.csv", date(2026, 1, 5)), "kw51": ("kw51_week_1272.csv", date(2025, 12, 15))}


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def make_instance(iid: str, day: int, *ranges: str, skill: str = "standard") -> Instance:
    """`make_instance("a", 1, "05:00-09:30")`; two ranges make a split tour; an end before its start crosses midnight."""
    base = (day - 1) * 1440
    segs: list[tuple[int, int]] = []
    cursor = base
    for r in ranges:
        s_txt, e_txt = r.split("-")
        s = base + _minutes(s_txt)
        while s < cursor:
            s += 1440
        e = s - _minutes(s_txt) % 1440 + _minutes(e_txt)
        if e <= s:
            e += 1440
        segs.append((s, e))
        cursor = e
    return Instance(id=iid, external_id=iid, instance_no=1, day=day, start=segs[0][0], end=segs[-1][1], segments=tuple(segs), skill=skill)


def make_forecast(instances: list[Instance]) -> CanonicalForecast:
    return CanonicalForecast(tenant_code="demo", site_code="wien", week_anchor_date=date(2026, 1, 5), instances=instances)


def real_week(name: str) -> CanonicalForecast:
    """The real Wien or KW51 week from ../shared/data, or a clean skip where it is absent."""
    file, anchor = REAL_WEEKS[name]
    path = SHARED_DATA / file
    if not path.is_file():
        pytest.skip(f"{path} not present")
    result = ingest(path.read_bytes(), tenant="demo", site="wien", anchor=anchor)
    assert result.forecast is not None, result.report.one_line()
    return result.forecast
