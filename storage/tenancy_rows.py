"""Row helpers for tenants and sites shared by several repositories."""

from __future__ import annotations

from typing import Any

from storage.clock import from_db
from storage.db import Tx
from storage.models import SiteRecord
from storage.scope import Actor

SITE_COLUMNS = "tenant_code, code, name, enabled, updated_by, updated_at, reason"


def site_from_row(r: tuple[Any, ...]) -> SiteRecord:
    return SiteRecord(
        tenant=r[0], code=r[1], name=r[2], enabled=r[3], updated_by=r[4], updated_at=from_db(r[5]), reason=r[6]
    )


def ensure_tenant(tx: Tx, tenant: str, name: str = "") -> None:
    """Create the tenant row on first use; a given name also renames an existing one."""
    if tx.one("SELECT 1 FROM tenants WHERE code = ?", [tenant]) is None:
        tx.execute("INSERT INTO tenants VALUES (?, ?, ?)", [tenant, name or tenant, tx.now])
    elif name:
        tx.execute("UPDATE tenants SET name = ? WHERE code = ?", [name, tenant])


def ensure_site(tx: Tx, tenant: str, site: str, actor: Actor) -> None:
    """Register a site on first use, in shadow mode (publish/lock stay off until enabled)."""
    ensure_tenant(tx, tenant)
    if tx.one("SELECT 1 FROM sites WHERE tenant_code = ? AND code = ?", [tenant, site]) is None:
        tx.execute(
            "INSERT INTO sites VALUES (?, ?, ?, false, ?, ?, ?)",
            [tenant, site, site, "registered on first use (shadow mode)", actor.name, tx.now],
        )
