"""Exact assignment moves on whole plans: repair R8–R10, then lift part-timers.

The plan is a grid: one row per slot (named driver or anonymous week), one
column per day of the week, holding a block type or nothing. Two moves, each
an exact linear assignment problem over every slot at once:
- tail swap at a day boundary: every slot keeps its week up to the boundary
  and takes some slot's week from there on;
- day reassignment: the blocks of one day (plus "nothing") are dealt out
  again to the slots, whose other days stay.
A pair's cost is `weeks.week_cost` of the week it forms (illegal pairs are
left out, except the current one, so an assignment always exists). Legality
is judged with the rule table's functions on arrays (R6 rest and R7 fatigue
at the seam, R8 cap, R9 days, R10 availability and skills).

Sweeps repeat until three in a row bring nothing; then one sweep runs on
seeded noisy costs (a kick) and the best plan seen is kept. The number of
sweeps is the budget (deterministic); the wall clock only stops early, and
then the plan of the last whole sweep is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import linear_sum_assignment

from engine import rules
from engine.rules import RuleConfig
from engine.solver.blocks import BlockType, DayBlocks
from engine.solver.budget import Budget
from engine.solver.weeks import ILLEGAL, Slot, week_cost

NONE = -1
STALL_SWEEPS = 3
KICKS = 3  # noisy sweeps after the descent stalls (seeded)


@dataclass
class _Blocks:
    """Block attributes as arrays (index = block-type index)."""

    start: np.ndarray
    end: np.ndarray
    work: np.ndarray
    size: np.ndarray
    day: np.ndarray
    mask: np.ndarray  # (day, skill) pairs the block needs, as bits
    depot: np.ndarray  # depot id of the block (its first tour's), 0 = default


class Grid:
    """A plan as slots × days of block-type indices, with everything a move needs to judge it."""

    def __init__(self, db: DayBlocks, slots: list[Slot], weeks: list[list[BlockType]], cfg: RuleConfig) -> None:
        self.db, self.slots, self.cfg = db, slots, cfg
        self.layer = {d: k for k, d in enumerate(db.days)}
        pairs = sorted({(b.day, db.tours[t].skill) for b in db.blocks for t in b.tours})
        bit = {p: n for n, p in enumerate(pairs)}
        dtype = np.uint64 if len(pairs) <= 64 else object
        depots = sorted({t.depot for t in db.tours} | {s.spec.depot for s in slots if s.spec is not None} | {"default"})
        depot_id = {"default": 0} | {d: n + 1 for n, d in enumerate(x for x in depots if x != "default")}
        blocks = db.blocks
        self.b = _Blocks(
            start=np.array([b.start for b in blocks], dtype=np.int64),
            end=np.array([b.end for b in blocks], dtype=np.int64),
            work=np.array([b.work for b in blocks], dtype=np.int64),
            size=np.array([b.size for b in blocks], dtype=np.int64),
            day=np.array([b.day for b in blocks], dtype=np.int64),
            mask=np.array([_bits({bit[(b.day, db.tours[t].skill)] for t in b.tours}) for b in blocks], dtype=dtype),
            depot=np.array([depot_id[db.tours[b.tours[0]].depot] for b in blocks], dtype=np.int64),
        )
        self.allowed = np.array(
            [_bits({n for (day, skill), n in bit.items() if s.may_work(day, skill)}) for s in slots], dtype=dtype
        )
        self.limit = np.array([s.limit(cfg) for s in slots], dtype=np.int64)
        self.kind = np.array([s.kind for s in slots], dtype=np.int64)
        self.slot_depot = np.array([depot_id[s.spec.depot] if s.spec is not None else 0 for s in slots], dtype=np.int64)
        self.hard = False  # soft: breaches cost less than a driver (see `weeks.week_cost`)
        self.grid = np.full((len(slots), len(db.days)), NONE, dtype=np.int64)
        # repairs only: each cell's home row (NONE: new work), cells that may not move, what a change costs
        self.home = np.full_like(self.grid, NONE)
        self.held = np.zeros(self.grid.shape, dtype=bool)
        self.churn_cost = 0  # per instance moved away from its home row
        self.touch_cost = 0  # per row whose week changes at all
        if len(weeks) > len(slots):
            raise ValueError("more weeks than slots")
        for i, week in enumerate(weeks):
            for blk in week:
                self.grid[i, self.layer[blk.day]] = blk.index

    # ---- whole-plan views ----
    def weeks(self) -> list[tuple[Slot, list[BlockType]]]:
        out = []
        for i, slot in enumerate(self.slots):
            row = [self.db.blocks[x] for x in self.grid[i] if x != NONE]
            out.append((slot, row))
        return out

    def _agg(self, cols: slice, grid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per row over some columns, worked by the row's own slot: work, days, R10 breaches, depot misses."""
        g = (self.grid if grid is None else grid)[:, cols]
        has = g != NONE
        idx = np.where(has, g, 0)
        work = np.where(has, self.b.work[idx], 0).sum(axis=1)
        bad = (has & ~_fits(self.b.mask[idx], self.allowed[:, None])).sum(axis=1)
        miss = (has & self._miss(self.b.depot[idx], self.slot_depot[:, None])).sum(axis=1)
        return work, has.sum(axis=1), bad, miss

    def _cross(self, cols: slice, grid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """[slot, row]: R10 breaches and depot misses if that slot worked the row's blocks in these columns."""
        g = (self.grid if grid is None else grid)[:, cols]
        bad = np.zeros((len(self.slots), len(g)), dtype=np.int64)
        miss = np.zeros_like(bad)
        for c in range(g.shape[1]):
            has = (g[:, c] != NONE)[None, :]
            idx = np.where(g[:, c] != NONE, g[:, c], 0)
            bad += has & ~_fits(self.b.mask[idx][None, :], self.allowed[:, None])
            miss += has & self._miss(self.b.depot[idx][None, :], self.slot_depot[:, None])
        return bad, miss

    @staticmethod
    def _miss(block_depot: np.ndarray, slot_depot: np.ndarray) -> np.ndarray:
        return (slot_depot > 0) & (block_depot > 0) & (block_depot != slot_depot)

    def costs(self, hard: bool | None = None) -> np.ndarray:
        work, days, bad, miss = self._agg(slice(None))
        cost = self._cost(work, days, self.kind, self.limit, bad, miss, hard)
        return np.where(self._row_legal(self.grid), cost, ILLEGAL)

    def _cost(self, work, days, kind, limit, bad, miss, hard: bool | None = None):  # noqa: ANN001, ANN202 - numpy arrays
        return week_cost(work, days, kind, limit, bad, miss, self.cfg, self.hard if hard is None else hard)

    def broken(self) -> int:
        """Weeks breaking a rule (R6–R10) right now."""
        return int((self.costs(hard=True) >= ILLEGAL).sum())

    def total(self) -> int:
        return int(self.costs().sum()) + self._change_cost()

    def _change_cost(self) -> int:
        """Churn and touched rows against the homes (0 outside repairs)."""
        if not self.churn_cost and not self.touch_cost:
            return 0
        has = self.grid != NONE
        rows = np.arange(len(self.slots))[:, None]
        away = has & (self.home != NONE) & (self.home != rows)
        moved = int(np.where(away, self.b.size[np.where(has, self.grid, 0)], 0).sum())
        touched = self._touched(self.grid, self.home).sum()
        return moved * self.churn_cost + int(touched) * self.touch_cost

    def _touched(self, grid: np.ndarray, home: np.ndarray) -> np.ndarray:
        """Rows whose week differs from their home week: they hold a block from elsewhere, or lost one of theirs."""
        rows = np.arange(len(self.slots))
        has = grid != NONE
        gained = (has & (home != rows[:, None])).any(axis=1)
        lost = np.zeros(len(rows), dtype=bool)
        gone = has & (home != NONE) & (home != rows[:, None])
        lost[home[gone]] = True
        return gained | lost

    def _row_legal(self, grid: np.ndarray) -> np.ndarray:
        """R6/R7 between consecutive worked days of every row."""
        ok = np.ones(len(grid), dtype=bool)
        prev = np.full(len(grid), NONE, dtype=np.int64)
        for k in range(grid.shape[1]):
            cur = grid[:, k]
            both = (prev != NONE) & (cur != NONE)
            p, c = np.where(prev != NONE, prev, 0), np.where(cur != NONE, cur, 0)
            seam = self._seam_ok(self.b.end[p], self.b.size[p], self.b.day[p], self.b.start[c], self.b.size[c], self.b.day[c])
            ok &= ~both | seam
            prev = np.where(cur != NONE, cur, prev)
        return ok

    def _seam_ok(self, end, size_a, day_a, start, size_b, day_b):  # noqa: ANN001, ANN202 - numpy arrays
        rest = rules.rest_ok(end, start, self.cfg)
        clash = (day_a + 1 == day_b) & rules.fatigue_clash(size_a, size_b)
        return rest & ~clash

    # ---- moves ----
    def tail_swap(self, k: int, noise: np.ndarray | None) -> bool:
        """Rows keep days < k and take the best row's days ≥ k; True when the plan changed (never with held cells)."""
        n = len(self.slots)
        if self.held.any():
            return False
        pw, pd, pbad, pmiss = self._agg(slice(0, k))
        sw, sd, _, _ = self._agg(slice(k, None))
        sbad, smiss = self._cross(slice(k, None))
        last = _last(self.grid[:, :k])
        first = _first(self.grid[:, k:])
        lb, fb = np.where(last != NONE, last, 0), np.where(first != NONE, first, 0)
        seam = self._seam_ok(self.b.end[lb][:, None], self.b.size[lb][:, None], self.b.day[lb][:, None],
                             self.b.start[fb][None, :], self.b.size[fb][None, :], self.b.day[fb][None, :])
        seam |= (last == NONE)[:, None] | (first == NONE)[None, :]
        legal = seam & self._row_legal(self.grid[:, :k])[:, None] & self._row_legal(self.grid[:, k:])[None, :]
        legal[np.arange(n), np.arange(n)] = True  # the current plan stays possible
        cost = self._cost(pw[:, None] + sw[None, :], pd[:, None] + sd[None, :], self.kind[:, None], self.limit[:, None],
                          pbad[:, None] + sbad, pmiss[:, None] + smiss)
        perm = _assign(cost, legal, noise)
        if perm is None or np.array_equal(perm, np.arange(n)):
            return False
        self.grid[:, k:] = self.grid[perm, k:]
        self.home[:, k:] = self.home[perm, k:]
        return True

    def day_move(self, k: int, noise: np.ndarray | None) -> bool:
        """Deal the blocks of day k out again; True when the plan changed."""
        n = len(self.slots)
        col = self.grid[:, k].copy()
        rows = col[col != NONE]
        m = len(rows)
        if m == 0:
            return False
        rest = self.grid.copy()
        rest[:, k] = NONE
        w, d, bad, miss = self._agg(slice(None), rest)
        rest_legal = self._row_legal(rest)
        prev = _last(rest[:, :k])
        nxt = _first(rest[:, k + 1 :])
        pb, nb = np.where(prev != NONE, prev, 0), np.where(nxt != NONE, nxt, 0)
        blk = rows[:, None]
        before = self._seam_ok(self.b.end[pb][None, :], self.b.size[pb][None, :], self.b.day[pb][None, :],
                               self.b.start[blk], self.b.size[blk], self.b.day[blk]) | (prev == NONE)[None, :]
        after = self._seam_ok(self.b.end[blk], self.b.size[blk], self.b.day[blk],
                              self.b.start[nb][None, :], self.b.size[nb][None, :], self.b.day[nb][None, :]) | (nxt == NONE)[None, :]
        legal_b = before & after & rest_legal[None, :]
        bad_b = bad[None, :] + ~_fits(self.b.mask[blk], self.allowed[None, :])
        miss_b = miss[None, :] + self._miss(self.b.depot[blk], self.slot_depot[None, :])
        cost_b = self._cost(w[None, :] + self.b.work[blk], d[None, :] + 1, self.kind[None, :], self.limit[None, :], bad_b, miss_b)
        cost_e = np.where(rest_legal, self._cost(w, d, self.kind, self.limit, bad, miss), ILLEGAL)
        owner = np.flatnonzero(col != NONE)
        homes = self.home[owner, k]
        if self.churn_cost or self.touch_cost:
            cost_b = cost_b + self._change_matrix(k, owner, homes, rows)
        cost = np.vstack([cost_b, np.broadcast_to(cost_e, (n - m, n))])
        legal = np.vstack([legal_b, np.ones((n - m, n), dtype=bool)])
        held = self.held[owner, k]
        legal[:m][held] = False  # a held block stays where it is
        # the current dealing must stay possible: row r holds the block of slot owner[r]
        free = np.flatnonzero(col == NONE)
        current = np.empty(n, dtype=np.int64)
        current[owner] = np.arange(m)
        current[free] = m + np.arange(n - m)
        legal[current, np.arange(n)] = True
        perm_rows = _assign(cost, legal, noise)
        if perm_rows is None:
            return False
        new_col = np.full(n, NONE, dtype=np.int64)
        new_home = np.full(n, NONE, dtype=np.int64)
        new_held = np.zeros(n, dtype=bool)
        for row, slot in enumerate(perm_rows):
            if row < m:
                new_col[slot], new_home[slot], new_held[slot] = rows[row], homes[row], held[row]
        if np.array_equal(new_col, col):
            return False
        self.grid[:, k], self.home[:, k], self.held[:, k] = new_col, new_home, new_held
        return True

    def _change_matrix(self, k: int, owner: np.ndarray, homes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """[block row, slot]: churn of the block's instances if it leaves its home, and first touches of the rows involved."""
        n = len(self.slots)
        slots = np.arange(n)
        away = (homes[:, None] != NONE) & (homes[:, None] != slots[None, :])
        churn = np.where(away, self.b.size[rows][:, None] * self.churn_cost, 0)
        rest = self.grid.copy()
        rest[:, k] = NONE
        rest_home = self.home.copy()
        rest_home[:, k] = NONE
        touched = self._touched(rest, rest_home)
        foreign = homes[:, None] != slots[None, :]  # the slot gains a block that is not its own
        touch = np.where(foreign & ~touched[None, :], self.touch_cost, 0)
        home_row = np.where(homes != NONE, homes, 0)
        touch += np.where(away & ~touched[home_row][:, None], self.touch_cost, 0)  # and its home loses it
        return churn + touch

    def place(self, weeks: list[list[BlockType]]) -> None:
        """Put whole weeks on the slots by one assignment (named drivers first where legal); the grid is replaced."""
        n = len(self.slots)
        if len(weeks) > n:
            raise ValueError("more weeks than slots")
        rows = np.full((n, len(self.db.days)), NONE, dtype=np.int64)
        for r, week in enumerate(weeks):
            for blk in week:
                rows[r, self.layer[blk.day]] = blk.index
        work, days, _, _ = self._agg(slice(None), rows)
        bad, miss = self._cross(slice(None), rows)
        cost = self._cost(work[:, None], days[:, None], self.kind[None, :], self.limit[None, :], bad.T, miss.T)
        perm = _assign(cost, np.ones(cost.shape, dtype=bool), None)
        if perm is None:
            raise RuntimeError("placing weeks failed")  # cannot happen: the matrix is complete
        self.grid = np.full_like(rows, NONE)
        self.grid[perm] = rows


def _bits(ns: set[int]) -> int:
    out = 0
    for n in ns:
        out |= 1 << n
    return out


def _fits(needed: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """R10 on masks: every (day, skill) a week needs is one its driver may work."""
    return (needed & ~allowed) == 0


def _last(g: np.ndarray) -> np.ndarray:
    """Each row's latest block in these columns, or NONE."""
    out = np.full(len(g), NONE, dtype=np.int64)
    for k in range(g.shape[1]):
        out = np.where(g[:, k] != NONE, g[:, k], out)
    return out


def _first(g: np.ndarray) -> np.ndarray:
    out = np.full(len(g), NONE, dtype=np.int64)
    for k in range(g.shape[1] - 1, -1, -1):
        out = np.where(g[:, k] != NONE, g[:, k], out)
    return out


def _assign(cost: np.ndarray, legal: np.ndarray, noise: np.ndarray | None) -> np.ndarray | None:
    """Row → column of the cheapest perfect matching over the legal pairs (square)."""
    n = cost.shape[0]
    if noise is not None:
        cost = cost + noise
    tails, heads = np.nonzero(legal)
    lsa = linear_sum_assignment.SimpleLinearSumAssignment()
    lsa.add_arcs_with_cost(tails.astype(np.int64), heads.astype(np.int64), cost[tails, heads].astype(np.int64))
    if lsa.solve() != lsa.OPTIMAL:
        return None
    return np.array([lsa.right_mate(i) for i in range(n)], dtype=np.int64)


def settle(grid: Grid, budget: Budget, max_sweeps: int) -> int:
    """Day moves only (whole suffixes never move: held cells and homes stay put), until nothing improves."""
    grid.hard = True
    sweeps, total = 0, grid.total()
    while sweeps < max_sweeps and not budget.out():
        before = (grid.grid.copy(), grid.home.copy(), grid.held.copy())
        for k in range(len(grid.db.days)):
            if budget.out():
                grid.grid, grid.home, grid.held = before
                return sweeps
            grid.day_move(k, None)
        sweeps += 1
        new = grid.total()
        if new >= total:
            break
        total = new
    return sweeps


def improve(grid: Grid, budget: Budget, seed: int, max_sweeps: int, soft: bool = True, kicks: int = KICKS) -> tuple[int, bool]:
    """Repair, then polish; returns (sweeps run, wall cap fired).

    Soft sweeps first (a breach costs more than a driver but less than a
    stand-in, so work is traded between the existing weeks), then hard ones (a
    breach is never accepted, so any breach left opens a spare), then kicks.
    The best plan of a whole sweep is kept; a sweep cut short by the clock or
    a cancel is dropped, so the result depends on the sweeps completed only.
    """
    rng = np.random.default_rng(seed)
    sweeps = 0
    if soft:
        grid.hard = False
        sweeps = _descend(grid, budget, max_sweeps // 2, until_legal=True)
    grid.hard = True
    best_total, best_grid = grid.total(), grid.grid.copy()
    n = len(grid.slots)
    for _ in range(kicks + 1):
        sweeps += _descend(grid, budget, max_sweeps - sweeps)
        total = grid.total()
        if total < best_total:
            best_total, best_grid = total, grid.grid.copy()
        if budget.out() or sweeps >= max_sweeps:
            break
        grid.grid = best_grid.copy()
        before = grid.grid.copy()
        if not _sweep(grid, budget, rng.integers(0, 3_000, size=(n, n), dtype=np.int64)):
            grid.grid = before
            break
        sweeps += 1
    grid.grid = best_grid
    return sweeps, budget.wall_fired


def _descend(grid: Grid, budget: Budget, max_sweeps: int, until_legal: bool = False) -> int:
    """Whole sweeps until STALL_SWEEPS bring nothing (or, `until_legal`, no breach is left); an interrupted sweep is undone."""
    sweeps = stall = 0
    total = grid.total()
    while sweeps < max_sweeps and stall < STALL_SWEEPS and not (until_legal and grid.broken() == 0):
        before = grid.grid.copy()
        if not _sweep(grid, budget, None):
            grid.grid = before
            break
        sweeps += 1
        new = grid.total()
        stall = 0 if new < total else stall + 1
        total = new
    return sweeps


def _sweep(grid: Grid, budget: Budget, noise: np.ndarray | None) -> bool:
    """Every tail swap, then every day move; False when the budget ran out on the way."""
    K = len(grid.db.days)
    for k in range(1, K):
        if budget.out():
            return False
        grid.tail_swap(k, noise)
    for k in range(K):
        if budget.out():
            return False
        grid.day_move(k, noise)
    return not budget.out()
