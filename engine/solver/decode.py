"""Between weeks and network flows: hints for CP-SAT, and solutions back to weeks.

Decoding walks the layers in order and sends the lightest partial weeks into
the largest blocks first, which balances hours and keeps weeks under the cap
when the model did not track load. Any flow decomposition is legal for the
tracked rules; `legal_parts` cuts whatever the model could not see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from engine.solver.blocks import BlockType, DayBlocks
from engine.solver.counting import FlowSolution
from engine.solver.network import Network, Node


@dataclass
class _Partial:
    ident: int
    blocks: list[BlockType] = field(default_factory=list)
    work: int = 0


def _arc_index(net: Network) -> dict[tuple[Node, Node, int], int]:
    return {(a.tail, a.head, a.cls): i for i, a in enumerate(net.arcs)}


def flow_of_weeks(net: Network, weeks: list[list[BlockType]]) -> FlowSolution | None:
    """The network flow of a plan, or None when some week does not fit the network."""
    index = _arc_index(net)
    off_arc = {a.tail: i for i, a in enumerate(net.arcs) if a.kind == "off"}
    class_of = {b: ci for ci, c in enumerate(net.classes) for b in c.blocks}
    flows = [0] * len(net.arcs)
    K = net.layers

    def step(tail: Node, head: Node, cls: int = -1) -> bool:
        i = index.get((tail, head, cls))
        if i is None:
            return False
        flows[i] += 1
        return True

    for week in weeks:
        on_day = {b.day: b for b in week}
        u = f = j = 0
        for k, day in enumerate(net.days):
            J = len(net.starts[k])
            b = on_day.get(day)
            if b is None:
                while j < J:
                    if not step((k, u, f, j), (k, u, f, j + 1)):
                        return None
                    j += 1
                i = off_arc.get((k, u, f, J))
                if i is None:
                    return None
                flows[i] += 1
                _, u, f, j = net.arcs[i].head
                continue
            c = net.classes[class_of[b.index]]
            if c.sidx < j:
                return None
            while j < c.sidx:
                if not step((k, u, f, j), (k, u, f, j + 1)):
                    return None
                j += 1
            u2 = u + c.size if net.track_load else 0
            head = (k + 1, u2, int(c.triple_next), c.nidx if k + 1 < K else 0)
            if not step((k, u, f, j), head, class_of[b.index]):
                return None
            _, u, f, j = head
        if not step((K, u, 0, 0), (K + 1, u, 0, 0)):
            return None
    counts: dict[int, int] = defaultdict(int)
    for week in weeks:
        for b in week:
            counts[b.index] += 1
    return FlowSolution(tuple(flows), dict(counts), len(weeks))


def weeks_of_flow(db: DayBlocks, net: Network, sol: FlowSolution) -> list[list[BlockType]]:
    """Decompose a flow into driver weeks with concrete block types."""
    by_tail: dict[Node, list[int]] = defaultdict(list)
    for i, a in enumerate(net.arcs):
        if sol.arc_flow[i]:
            by_tail[a.tail].append(i)
    at: dict[Node, list[_Partial]] = defaultdict(list)
    at[net.source] = [_Partial(n) for n in range(sol.drivers)]
    K = net.layers
    for k in range(K):
        J = len(net.starts[k])
        entering: dict[int, list[_Partial]] = defaultdict(list)
        heads: dict[int, Node] = {}
        states = sorted({(n[1], n[2]) for n in at if n[0] == k})
        for u, f in states:
            for j in range(J + 1):
                node = (k, u, f, j)
                here = sorted(at.pop(node, []), key=lambda p: (p.work, p.ident))
                if not here:
                    continue
                outs = sorted(by_tail.get(node, []), key=lambda i: (net.arcs[i].kind != "work", -net.classes[net.arcs[i].cls].size if net.arcs[i].cls >= 0 else 0, i))
                pos = 0
                for i in outs:
                    arc = net.arcs[i]
                    take = here[pos : pos + sol.arc_flow[i]]
                    pos += sol.arc_flow[i]
                    if arc.kind == "work":
                        entering[arc.cls].extend(take)
                        for p in take:
                            heads[p.ident] = arc.head
                    else:
                        at[arc.head].extend(take)
        for ci, paths in sorted(entering.items()):
            concrete = sorted(
                (db.blocks[b] for b in net.classes[ci].blocks for _ in range(sol.block_count.get(b, 0))),
                key=lambda b: (-b.work, b.index),
            )
            for p, b in zip(sorted(paths, key=lambda p: (p.work, p.ident)), concrete, strict=True):
                p.blocks.append(b)
                p.work += b.work
                at[heads[p.ident]].append(p)
    done = [p for node, ps in sorted(at.items()) for p in ps]
    return [p.blocks for p in sorted(done, key=lambda p: p.ident) if p.blocks]

