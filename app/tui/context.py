"""What the cockpit needs to act: the store path, the clock, who is at the keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.ops.session import Session, open_session
from app.ops.status import StatusView, status
from engine.clock import Clock

RUNS_SHOWN = 500  # the runs list's length


@dataclass(frozen=True)
class CockpitContext:
    db_path: Path
    clock: Clock
    login: str
    act_as: str | None = None
    read_only: bool = False

    def session(self) -> Session:
        """A fresh session (re-reads the user's role); holds no connection."""
        return open_session(self.db_path, self.clock, self.login, act_as=self.act_as, read_only=self.read_only)

    def overview(self) -> tuple[Session, StatusView]:
        """What the runs section and the status line show, in one read of the store."""
        s = self.session()
        return s, status(s, latest=RUNS_SHOWN)
