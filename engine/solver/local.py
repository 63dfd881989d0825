"""A small deterministic local search on whole weeks, to lift part-timers.

Moves between two drivers p (a part-timer) and q: swap the tails of their weeks
from some day on, or hand one of q's blocks to p on a day p is free. A move is
kept when both weeks stay legal (exact R6–R9 via `DriverState`) and the plan
gets fewer part-timers, or the same number with less total shortfall below
40 h. It cannot add drivers; a week emptied by a move is dropped.
"""

from __future__ import annotations

import time

from engine.rules import RuleConfig
from engine.solver.blocks import BlockType
from engine.solver.weeks import legal_parts

Week = list[BlockType]


def _work(w: Week) -> int:
    return sum(b.work for b in w)


def _legal(w: Week, cfg: RuleConfig) -> bool:
    return not w or len(legal_parts(w, cfg)) == 1


def _pair_key(a: Week, b: Week, cfg: RuleConfig) -> tuple[int, int, int]:
    """(part-timers, shortfall, empties) of two weeks: lower is better."""
    t = cfg.fte_threshold_minutes
    ws = [_work(w) for w in (a, b) if w]
    return (sum(1 for w in ws if w < t), sum(max(0, t - w) for w in ws), -(2 - len(ws)))


def improve_weeks(weeks: list[Week], cfg: RuleConfig, max_seconds: float, max_pairs: int = 60_000) -> tuple[list[Week], bool]:
    """First-improvement descent bounded by pairs tried (deterministic); also (plan, wall cap hit)."""
    plan = [sorted(w, key=lambda b: b.day) for w in weeks]
    stop = time.monotonic() + max_seconds
    threshold = cfg.fte_threshold_minutes
    budget = max_pairs
    while budget > 0:
        improved = False
        for pi in range(len(plan)):
            if time.monotonic() > stop:
                return [w for w in plan if w], True
            if budget <= 0:
                break
            if not plan[pi] or _work(plan[pi]) >= threshold:
                continue
            for qi in range(len(plan)):
                if qi == pi or not plan[qi]:
                    continue
                budget -= 1
                better = _best_move(plan[pi], plan[qi], cfg)
                if better is not None:
                    plan[pi], plan[qi] = better
                    improved = True
                    if not plan[pi] or _work(plan[pi]) >= threshold:
                        break
        plan = [w for w in plan if w]
        if not improved:
            break
    return plan, False


def _best_move(p: Week, q: Week, cfg: RuleConfig) -> tuple[Week, Week] | None:
    base = _pair_key(p, q, cfg)
    best: tuple[tuple[int, int, int], Week, Week] | None = None
    days = sorted({b.day for b in p} | {b.day for b in q})
    for d in days:  # tail swap from day d on
        np_ = [b for b in p if b.day < d] + [b for b in q if b.day >= d]
        nq = [b for b in q if b.day < d] + [b for b in p if b.day >= d]
        best = _consider(best, base, np_, nq, cfg)
    p_days = {b.day for b in p}
    for b in q:  # hand one block of q to p
        if b.day in p_days:
            continue
        np_ = sorted([*p, b], key=lambda x: x.day)
        nq = [x for x in q if x is not b]
        best = _consider(best, base, np_, nq, cfg)
    return None if best is None else (best[1], best[2])


def _consider(
    best: tuple[tuple[int, int, int], Week, Week] | None, base: tuple[int, int, int], p: Week, q: Week, cfg: RuleConfig
) -> tuple[tuple[int, int, int], Week, Week] | None:
    key = _pair_key(p, q, cfg)
    if key >= base or (best is not None and key >= best[0]):
        return best
    if not (_legal(p, cfg) and _legal(q, cfg)):
        return best
    return (key, p, q)
