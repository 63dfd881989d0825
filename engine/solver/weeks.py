"""Driver weeks as sequences of day blocks, and the exact per-driver state checks.

A `Week` is what every stage of the solver produces: the block types one driver
works, day by day. `DriverState.can_take` applies R6–R9 with the shared rule
functions, so the constructive stage and the repair of decoded weeks stay
legal by construction; the audits then confirm it independently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine import rules
from engine.rules import RuleConfig
from engine.solver.blocks import BlockType


@dataclass
class DriverState:
    blocks: list[BlockType] = field(default_factory=list)
    work: int = 0

    def can_take(self, b: BlockType, cfg: RuleConfig) -> bool:
        if not self.blocks:
            return True
        last = self.blocks[-1]
        if b.day <= last.day or not rules.rest_ok(last.end, b.start, cfg):
            return False
        if b.day == last.day + 1 and rules.fatigue_clash(last.size, b.size):
            return False
        if self.work + b.work > cfg.weekly_max_minutes:
            return False
        return len(self.blocks) + 1 <= cfg.max_working_days

    def take(self, b: BlockType) -> None:
        self.blocks.append(b)
        self.work += b.work


def legal_parts(blocks: list[BlockType], cfg: RuleConfig) -> list[list[BlockType]]:
    """Cut a week wherever it would break a weekly rule; each part is a legal week."""
    parts: list[DriverState] = []
    for b in sorted(blocks, key=lambda x: x.day):
        if not parts or not parts[-1].can_take(b, cfg):
            parts.append(DriverState())
        parts[-1].take(b)
    return [p.blocks for p in parts]
