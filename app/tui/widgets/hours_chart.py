"""A text histogram of weekly hours: how many drivers in each 5-hour band."""

from __future__ import annotations

from collections import Counter

from textual.widgets import Static

from app.i18n import _
from engine.rules import DEFAULT_CONFIG

BAND = 5
WIDTH = 30


def hours_histogram(hours: list[float], fte_threshold: float = DEFAULT_CONFIG.fte_threshold_minutes / 60) -> str:
    if not hours:
        return _("no drivers")

    bands = Counter(int(h // BAND) * BAND for h in hours)
    top = max(bands.values())
    lines = []
    for start in range(min(bands), max(bands) + BAND, BAND):
        n = bands.get(start, 0)
        bar = "█" * max(1 if n else 0, round(WIDTH * n / top))
        tag = "FTE" if start >= fte_threshold else "PT "
        lines.append(f"{start:>2}–{start + BAND:<2} h {tag} {bar} {n}")
    return "\n".join(lines)


class HoursChart(Static):
    def show(self, hours: list[float]) -> None:
        self.update(hours_histogram(hours))
