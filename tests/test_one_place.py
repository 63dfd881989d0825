"""One place per rule (issue 12, "Underneath"): the 40 h full-time line, HH:MM parsing and the
midnight roll-over are written once; workers talk to the cockpit through messages; the dead
helpers the review named stay gone."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("app", "engine", "storage") for p in (REPO / d).rglob("*.py")]


def _hits(pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return [f"{p.relative_to(REPO)}:{n}" for p in SOURCES
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if rx.search(line.split("#")[0])]


def test_the_full_time_line_is_the_rule_tables():
    assert [h.split(":")[0] for h in _hits(r"\b40 \* 60\b|\b2400\b")] == ["engine/rules.py"]


def test_hh_mm_is_parsed_and_rolled_over_midnight_in_one_place():
    assert _hits(r"""\.split\(["']:["']\)""") == []  # every HH:MM goes through parse_time
    assert [h.split(":")[0] for h in _hits(r"def parse_time\b")] == ["engine/parsers/common.py"]
    assert _hits(r"\)\s*%\s*(1440|MINUTES_PER_DAY)\b") == []  # no "(b - a) % 1440": the roll-over is at_or_after


def test_cockpit_workers_post_messages_and_the_dead_helpers_are_gone():
    assert _hits(r"call_from_thread") == []
    assert _hits(r"\bACTION_FOR\b|\bday_code\b|\bSECTION_NAMES\b|\bACTION_KEYS\b") == []
