"""Fit a line of parts into a width by priority: the least important part is shortened (with
an ellipsis) or dropped first, so what matters most (the mode, the open run's week and state)
is never the part an 80-column terminal cuts off."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

ELLIPSIS = "…"


@dataclass(frozen=True)
class Part:
    text: str
    rank: int  # 0 = never dropped; higher = given up first
    shrink: str = ""  # "left": may lose its start ("…/cockpit.duckdb"), "right": its end


def fit(parts: list[Part], width: int, sep: str = " · ") -> str:
    """The parts joined by `sep`, shortened by rank until the line is at most `width` cells."""
    shown = list(parts)

    def line() -> str:
        return sep.join(p.text for p in shown if p.text)

    while cell_len(line()) > width:
        candidates = [p for p in shown if p.rank > 0 and p.text]
        if not candidates:
            return _cut(line(), width, "right")
        worst = max(candidates, key=lambda p: (p.rank, shown.index(p)))
        over = cell_len(line()) - width
        room = cell_len(worst.text) - over
        i = shown.index(worst)
        if worst.shrink and room >= 8:  # still worth showing, shortened
            shown[i] = Part(_cut(worst.text, room, worst.shrink), worst.rank)
        else:
            shown.pop(i)
    return line()


def _cut(text: str, width: int, side: str) -> str:
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    if side == "left":
        tail = text
        while cell_len(tail) > width - 1:
            tail = tail[1:]
        return ELLIPSIS + tail
    head = text
    while cell_len(head) > width - 1:
        head = head[:-1]
    return head + ELLIPSIS
