"""How the solver speaks on the command line: heartbeats, stages, bounds (solve, solve --forecast, show-run)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.reports import heartbeat_line

if TYPE_CHECKING:
    from engine.solver.progress import Heartbeat


def heartbeat_printer(as_json: bool) -> Callable[[Heartbeat], None]:
    """Heartbeats to stderr: one line for people, or one JSON object a line with --json (stdout stays the result)."""

    def show(hb: Heartbeat) -> None:
        text = json.dumps({"heartbeat": hb.as_json()}) if as_json else f"  {heartbeat_line(hb)}"
        print(text, file=sys.stderr, flush=True)

    return show


def bound_parts(lb: dict[str, Any]) -> str:
    """The parts of a lower bound, the LP first when the solver computed it."""
    parts = [f"LP {lb['lp']:g}"] if lb.get("lp") is not None else []
    parts += [_("path cover {n}").format(n=lb.get("path_cover")), _("hours {n}").format(n=lb.get("hours")),
              _("per day {n}").format(n=lb.get("per_day"))]

    return ", ".join(parts)


def render_stages(stages: list[dict[str, Any]]) -> list[str]:
    """One line per solver stage: status, seconds, the best plan after it, and what it did."""
    out = ["  " + _("solver stages")] if stages else []
    for st in stages:
        best = _("{drivers} drivers, {pt} PT").format(drivers=st["drivers"], pt=st["pt"]) if st.get("drivers") is not None else "-"

        out.append(f"    {st['name']:<17} {st['status']:<10} {st['seconds']:>7.2f} s  {best:<22} {st.get('note', '')}".rstrip())
    return out
