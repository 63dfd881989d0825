"""Content hashes of a plan's rows: what an approval record proves the plan held.

One definition, used by the store when it writes a record (storage/trust.py) and by the evidence
verifier when it recomputes them from a pack (engine/evidence.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.models import Instance, canonical_dumps, sha256_prefixed


def instance_rows(instances: Sequence[Instance]) -> list[list[Any]]:
    """Instances as the store's rows, sorted by id (id, external_id, no, day, start, end, segments,
    work_minutes, depot, skill, priority)."""
    return [
        [i.id, i.external_id, i.instance_no, i.day, i.start, i.end, [list(s) for s in i.segments], i.work_minutes,
         i.depot, i.skill, i.priority]
        for i in sorted(instances, key=lambda x: x.id)
    ]


def rows_hash(rows: Sequence[Sequence[Any]]) -> str:
    """SHA-256 over the canonical JSON of rows (segments as lists): instances_hash / assignments_hash."""
    return sha256_prefixed(canonical_dumps([[list(v) if isinstance(v, tuple) else v for v in r] for r in rows]))
