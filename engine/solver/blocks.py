"""Tour types and legal day-block types: the vocabulary of the counting models.

Instances with the same day and segments are interchangeable for every rule,
so they merge into one tour type with a demand count (the real weeks have about
60 per day). A block type is a sequence of 1–3 tour types of one day whose
links and span pass `engine.rules.check_block`; the solver only ever builds
weeks out of such blocks, so R3–R5 hold by construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
    groups: dict[tuple[int, tuple[tuple[int, int], ...]], list[Instance]] = defaultdict(list)
    for inst in instances:
        groups[(inst.day, inst.segments)].append(inst)
    out: list[TourType] = []
    for k, (day, segs) in enumerate(sorted(groups)):
        members = sorted(groups[(day, segs)], key=lambda i: i.id)
        first = members[0]
        out.append(TourType(k, day, first.start, first.end, first.work_minutes, first.is_split, tuple(i.id for i in members)))
    return out


def enumerate_blocks(instances: Sequence[Instance], cfg: RuleConfig) -> DayBlocks:
    """All legal block types of every day, and the instances that fit in none."""
    tours = tour_types(instances)
    by_day: dict[int, list[TourType]] = defaultdict(list)
    for t in tours:
        by_day[t.day].append(t)
    seqs: list[tuple[TourType, ...]] = []
    for day_tours in by_day.values():
        nexts = {
            t.index: [u for u in day_tours if cfg.regular_gap_min <= u.start - t.end <= max(cfg.regular_gap_max, cfg.split_break_max)]
            for t in day_tours
        }
        for t in day_tours:
            seqs.append((t,))
            if cfg.max_block_instances < 2:
                continue
            for u in nexts[t.index]:
                seqs.append((t, u))
                if cfg.max_block_instances < 3:
                    continue
                seqs.extend((t, u, v) for v in nexts[u.index])
    blocks: list[BlockType] = []
    covered: set[int] = set()
    for seq in seqs:
        verdict = rules.check_block([Piece(t.start, t.end, t.split) for t in seq], cfg)
        if not verdict.legal:
            continue
        covered.update(t.index for t in seq)
        blocks.append(
            BlockType(len(blocks), seq[0].day, tuple(t.index for t in seq), seq[0].start, max(t.end for t in seq), sum(t.work for t in seq), verdict.is_split)
        )
    impossible: list[tuple[str, Breach]] = []
    for t in tours:
        if t.index not in covered:
            breach = rules.check_block([Piece(t.start, t.end, t.split)], cfg).breaches[0]
            impossible.extend((iid, breach) for iid in t.instance_ids)
    return DayBlocks(tuple(tours), tuple(blocks), tuple(sorted(by_day)), tuple(impossible))

