"""Tour types and legal day-block types: the vocabulary of every solver stage.

Instances with the same day, segments, skill and depot are interchangeable for
every rule (and for every named driver), so they merge into one tour type with
a demand count. A block type is a sequence of 1–3 tour types of one day whose
links and span pass `engine.rules.check_block`; the solver only ever builds
weeks out of such blocks, so R3–R5 hold by construction.

Enumeration looks only inside the legal gap windows (R4: a regular gap or a
split break after the previous tour's end), found by bisection over the day's
sorted starts, so its cost grows with the legal blocks, not with all pairs. A
split tour is a block of its own (R3) and never links.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from engine import rules
from engine.models import Instance
from engine.rules import Breach, Piece, RuleConfig


@dataclass(frozen=True, slots=True)
class TourType:
    index: int
    day: int
    start: int
    end: int
    work: int
    split: bool
    skill: str
    depot: str
    instance_ids: tuple[str, ...]  # canonical order

    @property
    def demand(self) -> int:
        return len(self.instance_ids)


@dataclass(frozen=True, slots=True)
class BlockType:
    index: int
    day: int
    tours: tuple[int, ...]  # tour-type indices, by start
    start: int
    end: int
    work: int
    is_split: bool
    skills: frozenset[str] = frozenset({"standard"})
    depots: frozenset[str] = frozenset({"default"})

    @property
    def size(self) -> int:
        return len(self.tours)


@dataclass(frozen=True)
class DayBlocks:
    """Everything the solver knows about one week: tour types, block types, untouchable instances."""

    tours: tuple[TourType, ...]
    blocks: tuple[BlockType, ...]
    days: tuple[int, ...]
    impossible: tuple[tuple[str, Breach], ...]  # instance id, the rule no block can satisfy

    def blocks_on(self, day: int) -> list[BlockType]:
        return [b for b in self.blocks if b.day == day]


def tour_types(instances: Sequence[Instance]) -> list[TourType]:
    groups: dict[tuple[int, tuple[tuple[int, int], ...], str, str], list[Instance]] = defaultdict(list)
    for inst in instances:
        groups[(inst.day, inst.segments, inst.skill, inst.depot)].append(inst)
    out: list[TourType] = []
    for k, key in enumerate(sorted(groups)):
        members = sorted(groups[key], key=lambda i: i.id)
        first = members[0]
        out.append(
            TourType(k, first.day, first.start, first.end, first.work_minutes, first.is_split, first.skill, first.depot, tuple(i.id for i in members))
        )
    return out


def _successors(day_tours: list[TourType], cfg: RuleConfig, lo: int, hi: int) -> dict[int, list[TourType]]:
    """For each linkable tour, the linkable tours starting lo..hi minutes after its end."""
    linkable = [t for t in day_tours if not t.split]
    starts = [t.start for t in linkable]
    out: dict[int, list[TourType]] = {}
    for t in linkable:
        out[t.index] = linkable[bisect_left(starts, t.end + lo) : bisect_right(starts, t.end + hi)]
    return out


def _candidates(day_tours: list[TourType], cfg: RuleConfig) -> Iterator[tuple[TourType, ...]]:
    """Sequences inside the legal gap windows only (R4), lazily; span and size are judged by the rule table."""
    day_tours = sorted(day_tours, key=lambda t: (t.start, t.index))
    regular = _successors(day_tours, cfg, cfg.regular_gap_min, cfg.regular_gap_max)
    split = _successors(day_tours, cfg, cfg.split_break_min, cfg.split_break_max)
    for t in day_tours:
        yield (t,)
        if t.split or cfg.max_block_instances < 2:
            continue
        for u in regular[t.index]:
            yield (t, u)
            if cfg.max_block_instances >= 3:
                yield from ((t, u, v) for v in regular[u.index] if v.end - t.start <= cfg.span_triple_max)
        yield from ((t, u) for u in split[t.index])


class Stopped(Exception):
    """The budget ran out while enumerating (see `enumerate_blocks`)."""


def enumerate_blocks(instances: Sequence[Instance], cfg: RuleConfig, stop: Callable[[], bool] | None = None, singles_only: bool = False) -> DayBlocks:
    """All legal block types of every day (or only the single ones), and the instances that fit in none.

    `stop` is polled every 2,000 candidates of a day (so a small week always enumerates whole);
    when it says so, `Stopped` is raised.
    """
    tours = tour_types(instances)
    by_day: dict[int, list[TourType]] = defaultdict(list)
    for t in tours:
        by_day[t.day].append(t)
    blocks: list[BlockType] = []
    covered: set[int] = set()
    for day in sorted(by_day):
        seqs = [(t,) for t in by_day[day]] if singles_only else _candidates(by_day[day], cfg)
        for n, seq in enumerate(seqs):
            if stop is not None and n and n % 2000 == 0 and stop():
                raise Stopped
            verdict = rules.check_block([Piece(t.start, t.end, t.split) for t in seq], cfg)
            if not verdict.legal:
                continue
            covered.update(t.index for t in seq)
            blocks.append(
                BlockType(
                    len(blocks), day, tuple(t.index for t in seq), seq[0].start, max(t.end for t in seq), sum(t.work for t in seq),
                    verdict.is_split, frozenset(t.skill for t in seq), frozenset(t.depot for t in seq),
                )
            )
    impossible: list[tuple[str, Breach]] = []
    for t in tours:
        if t.index not in covered:
            breach = rules.check_block([Piece(t.start, t.end, t.split)], cfg).breaches[0]
            impossible.extend((iid, breach) for iid in t.instance_ids)
    return DayBlocks(tuple(tours), tuple(blocks), tuple(sorted(by_day)), tuple(impossible))
