"""Pinned assignments per plan version: re-solves and repairs of the plan keep them.

A pin is not plan content (it changes no assignment), so it may be set on any version,
LOCKED included: it speaks about the versions made from that plan.
"""

from __future__ import annotations

from storage import lifecycle
from storage.clock import from_db
from storage.backend import Database
from storage.db import Tx
from storage.errors import InvalidInput, NotFound
from storage.models import Pin
from storage.scope import Actor, Scope, reads, writes


class PinRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def set(self, scope: Scope, plan_id: int, instance_id: str, *, pinned: bool, actor: Actor, reason: str) -> Pin | None:
        """Pin an instance to the driver it has in the plan (or unpin it); the pin, or None after an unpin."""
        with self._db.session(write=True) as tx:
            lifecycle.load_head(tx, scope, plan_id)
            row = tx.one("SELECT driver_id FROM plan_assignments WHERE plan_id = ? AND instance_id = ?", [plan_id, instance_id])
            if row is None:
                raise NotFound(f"instance {instance_id} has no driver in plan {plan_id}")
            tx.execute("DELETE FROM plan_pins WHERE plan_id = ? AND instance_id = ?", [plan_id, instance_id])
            if not pinned:
                return None
            if not reason.strip():
                raise InvalidInput("a pin needs a reason")
            tx.execute("INSERT INTO plan_pins VALUES (?, ?, ?, ?, ?, ?)", [plan_id, instance_id, row[0], actor.name, tx.now, reason])
            return Pin(plan_id=plan_id, instance_id=instance_id, driver_id=row[0], pinned_by=actor.name,
                       pinned_at=from_db(tx.now), reason=reason)

    @reads
    def for_plan(self, scope: Scope, plan_id: int) -> list[Pin]:
        with self._db.session(write=False) as tx:
            lifecycle.load_head(tx, scope, plan_id)
            return load_pins(tx, plan_id)


def load_pins(tx: Tx, plan_id: int) -> list[Pin]:
    rows = tx.all(
        "SELECT plan_id, instance_id, driver_id, pinned_by, pinned_at, reason FROM plan_pins WHERE plan_id = ? ORDER BY instance_id",
        [plan_id],
    )
    return [Pin(plan_id=r[0], instance_id=r[1], driver_id=r[2], pinned_by=r[3], pinned_at=from_db(r[4]), reason=r[5]) for r in rows]


def copy_pins(tx: Tx, plan_id: int, pins: dict[str, str], actor: Actor, reason: str) -> None:
    """Pins a new version inherits from its parent (only those it still assigns the same way)."""
    for instance_id, driver in sorted(pins.items()):
        row = tx.one("SELECT driver_id FROM plan_assignments WHERE plan_id = ? AND instance_id = ?", [plan_id, instance_id])
        if row is not None and row[0] == driver:
            tx.execute("INSERT INTO plan_pins VALUES (?, ?, ?, ?, ?, ?)", [plan_id, instance_id, driver, actor.name, tx.now, reason])
