"""Retention (SPEC §9): purge old inputs and outputs, never what a LOCKED plan still needs.

Unlocked plans and forecasts go after `data_days`; LOCKED/SUPERSEDED plans (the
evidence of a locked week) after `log_days` from their lock. Approval records go
after `log_days` too, but only as a prefix of their chain and only when their plan
is gone; each leaves a tombstone (seq, plan, action, time, prev_hash, hash: no actor,
no reason) and the chain's anchor moves to the last one, so `verify` still passes and
still follows the links from genesis. Evidence packs (files and rows) go after
`log_days`, except those of a LOCKED plan still inside its period. A dry run reports
the same lists and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from storage.backend import Database
from storage.db import Tx
from storage.lifecycle import State
from storage.models import PurgeReport, RetentionPolicy
from storage.scope import Scope, writes

_LOCKED = [State.LOCKED.value, State.SUPERSEDED.value]


class RetentionRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def purge(self, scope: Scope, policy: RetentionPolicy | None = None, *, dry_run: bool = True) -> PurgeReport:
        """Plan (dry run) or perform the purge for the caller's sites; a dry run also works read-only."""
        policy = policy or RetentionPolicy()
        with self._db.session(write=not dry_run, checkpoint=not dry_run) as tx:
            if not dry_run:
                tx.purging()
            data_cut = tx.now - timedelta(days=policy.data_days)
            log_cut = tx.now - timedelta(days=policy.log_days)
            where, params = scope.where()
            plans = [r[0] for r in tx.all(
                f"SELECT id FROM plans WHERE {where} AND ((NOT list_contains(?, state) AND created_at < ?) "
                "OR (list_contains(?, state) AND coalesce(locked_at, created_at) < ?)) ORDER BY id",
                [*params, _LOCKED, data_cut, _LOCKED, log_cut],
            )]
            kept = [r[0] for r in tx.all(
                f"SELECT id FROM plans WHERE {where} AND list_contains(?, state) AND created_at < ? "
                "AND coalesce(locked_at, created_at) >= ? ORDER BY id",
                [*params, _LOCKED, data_cut, log_cut],
            )]
            forecasts = [r[0] for r in tx.all(
                f"SELECT id FROM forecasts f WHERE {where} AND created_at < ? AND NOT EXISTS "
                "(SELECT 1 FROM plans p WHERE p.forecast_id = f.id AND NOT list_contains(?, p.id)) ORDER BY id",
                [*params, data_cut, plans],
            )]
            tombstoned: list[str] = []
            for site in sorted(scope.sites):
                tombstoned += _purge_chain_prefix(tx, scope.tenant, site, log_cut, plans, dry_run)
            packs = [r[0] for r in tx.all(
                f"SELECT path FROM evidence_packs WHERE {where} AND written_at < ? AND NOT list_contains(?, plan_id) "
                "ORDER BY path",
                [*params, log_cut, kept],
            )]
            if not dry_run:
                tx.execute(f"DELETE FROM evidence_packs WHERE {where} AND list_contains(?, path)", [*params, packs])
                tx.after_commit.append(lambda: _remove_files(packs))
                for table in ("plan_assignments", "plan_instances", "plan_audits"):
                    tx.execute(f"DELETE FROM {table} WHERE list_contains(?, plan_id)", [plans])
                tx.execute("DELETE FROM plans WHERE list_contains(?, id)", [plans])
                tx.execute("DELETE FROM forecasts WHERE list_contains(?, id)", [forecasts])
        return PurgeReport(dry_run=dry_run, plans=tuple(plans), forecasts=tuple(forecasts),
                           approval_records=len(tombstoned), kept_locked=tuple(kept), tombstoned=tuple(tombstoned),
                           packs=tuple(packs))


def _remove_files(paths: list[str]) -> None:
    """Once the rows are gone: a file already missing is fine, one that cannot be removed stays on disk."""
    for path in paths:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            pass


def _purge_chain_prefix(tx: Tx, tenant: str, site: str, log_cut: object, purged_plans: list[int], dry_run: bool) -> list[str]:
    """Drop the oldest records of one chain while they are old enough and their plan is gone; each
    leaves a tombstone. Returns "site#seq" of each."""
    rows = tx.all(
        "SELECT a.seq, a.hash, a.recorded_at < ? AS old, (list_contains(?, a.plan_id) OR p.id IS NULL) AS orphan "
        "FROM approvals a LEFT JOIN plans p ON p.id = a.plan_id "
        "WHERE a.tenant_code = ? AND a.site_code = ? ORDER BY a.seq",
        [log_cut, purged_plans, tenant, site],
    )
    prefix = 0
    for _, _, old, orphan in rows:
        if not (old and orphan):
            break
        prefix += 1
    if prefix and not dry_run:
        last_seq, last_hash = rows[prefix - 1][0], rows[prefix - 1][1]
        tx.execute(
            "INSERT INTO approval_tombstones SELECT tenant_code, site_code, seq, plan_id, action, recorded_at, prev_hash, "
            "hash, ? FROM approvals WHERE tenant_code = ? AND site_code = ? AND seq <= ?",
            [tx.now, tenant, site, last_seq],
        )
        tx.execute(
            "DELETE FROM approvals WHERE tenant_code = ? AND site_code = ? AND seq <= ?", [tenant, site, last_seq]
        )
        tx.execute(
            "UPDATE approval_chains SET anchor_seq = ?, anchor_hash = ? WHERE tenant_code = ? AND site_code = ?",
            [last_seq, last_hash, tenant, site],
        )
    return [f"{site}#{seq}" for seq, *_ in rows[:prefix]]
