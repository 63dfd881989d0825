"""The hashes of SPEC §2.2 and §4.1, in one place: over canonical JSON (sorted keys, compact),
prefixed `sha256:`."""

from __future__ import annotations

from engine.models import canonical_dumps, sha256_prefixed


def output_hash(assignments: dict[str, str], config_hash: str) -> str:
    """SHA-256 of the sorted (instance, driver) pairs plus the solver config hash (SPEC §4.1)."""
    pairs = sorted(assignments.items())
    return sha256_prefixed(canonical_dumps({"assignments": pairs, "solver_config_hash": config_hash}))
