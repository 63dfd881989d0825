"""`--tenant`, the same way in every command: accepted, and checked against the acting user's
tenant (a user acts for exactly one). Another tenant is "not found", as its runs are."""

from __future__ import annotations

from app.errors import EXIT_FAILED, UserError
from app.i18n import _
from app.ops.session import Session


def own_tenant(s: Session, tenant: str | None) -> str:
    """The acting user's tenant; a `--tenant` naming another one is refused."""
    if tenant and tenant != s.user.tenant:
        raise UserError(_("tenant {tenant} not found (you act for tenant {own})").format(tenant=tenant, own=s.user.tenant), EXIT_FAILED)

    return s.user.tenant
