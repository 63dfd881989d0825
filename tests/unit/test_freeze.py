"""The freeze window: `now ≥ start − horizon`, inclusive, started tours frozen, across both DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from engine.clock import VIENNA
from engine.freeze import freezes_at, frozen_ids, is_frozen, next_freeze
from engine.models import Instance


def tour(day: int, start: str, iid: str = "T") -> Instance:
    h, m = map(int, start.split(":"))
    s = (day - 1) * 1440 + h * 60 + m
    return Instance(id=iid, external_id=iid, instance_no=1, day=day, start=s, end=s + 270, segments=((s, s + 270),))


SPRING = date(2026, 3, 23)  # Sun 2026-03-29 02:00 CET → 03:00 CEST
AUTUMN = date(2026, 10, 19)  # Sun 2026-10-25 03:00 CEST → 02:00 CET


def test_boundary_is_inclusive_and_a_minute_earlier_is_not_frozen() -> None:
    anchor, t = date(2026, 1, 5), tour(4, "06:00")  # Thu 06:00 CET freezes Wed 18:00 CET
    at = datetime(2026, 1, 7, 18, 0, tzinfo=VIENNA)
    assert freezes_at(anchor, t) == at.astimezone(UTC)
    assert is_frozen(anchor, t, at)
    assert not is_frozen(anchor, t, at - timedelta(minutes=1))


def test_started_and_finished_tours_stay_frozen() -> None:
    anchor, t = date(2026, 1, 5), tour(1, "05:00")
    assert is_frozen(anchor, t, datetime(2026, 1, 5, 7, 0, tzinfo=VIENNA))
    assert is_frozen(anchor, t, datetime(2026, 1, 9, 7, 0, tzinfo=VIENNA))


def test_spring_forward_counts_twelve_real_hours() -> None:
    # Sunday 10:00 CEST (08:00 UTC) freezes 720 real minutes earlier: Saturday 20:00 UTC = 21:00 CET
    t = tour(7, "10:00")
    assert freezes_at(SPRING, t) == datetime(2026, 3, 28, 20, 0, tzinfo=UTC)
    assert is_frozen(SPRING, t, datetime(2026, 3, 28, 21, 0, tzinfo=VIENNA))
    assert not is_frozen(SPRING, t, datetime(2026, 3, 28, 20, 59, tzinfo=VIENNA))


def test_fall_back_counts_twelve_real_hours() -> None:
    # Sunday 10:00 CET (09:00 UTC) freezes at Saturday 21:00 UTC = 23:00 CEST
    t = tour(7, "10:00")
    assert freezes_at(AUTUMN, t) == datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    assert is_frozen(AUTUMN, t, datetime(2026, 10, 24, 23, 0, tzinfo=VIENNA))
    assert not is_frozen(AUTUMN, t, datetime(2026, 10, 24, 22, 59, tzinfo=VIENNA))


def test_a_tour_after_the_change_frozen_from_before_it() -> None:
    # Monday 05:00 after fall-back: freezes Sunday 17:00 CET; the night in between has 25 hours
    anchor = AUTUMN + timedelta(days=7)
    t = tour(1, "05:00")
    assert freezes_at(anchor, t).astimezone(VIENNA).hour == 17


def test_horizon_is_configurable_and_next_freeze_names_the_instances() -> None:
    anchor = date(2026, 1, 5)
    ts = [tour(1, "05:00", "a"), tour(1, "05:00", "b"), tour(2, "05:00", "c")]
    now = datetime(2026, 1, 4, 12, 0, tzinfo=VIENNA)
    assert frozen_ids(anchor, ts, now) == frozenset()
    assert frozen_ids(anchor, ts, now, horizon_min=24 * 60) == {"a", "b"}
    assert next_freeze(anchor, ts, now) == (datetime(2026, 1, 4, 17, 0, tzinfo=VIENNA).astimezone(UTC), ["a", "b"])
    assert next_freeze(anchor, ts, datetime(2026, 1, 8, tzinfo=VIENNA)) is None
