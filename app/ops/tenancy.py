"""`--tenant`, the same way in every command: accepted, and checked against the acting user's
tenant (a user acts for exactly one). Another tenant is "not found", as its runs are."""

from __future__ import annotations

from app.errors import EXIT_FAILED, UserError
from app.i18n import _
from app.ops.session import Session


def own_tenant(s: Session, tenant: str | None) -> str:
    """The acting user's tenant; a `--tenant` naming another one is refused."""
    return check_tenant(s.user.tenant, tenant)


def check_tenant(own: str, tenant: str | None) -> str:
    """`own_tenant` where only the tenant's code is at hand (remote mode: the server's status says it)."""
    if tenant and tenant != own:
        raise UserError(_("tenant {tenant} not found (you act for tenant {own})").format(tenant=tenant, own=own), EXIT_FAILED)
    return own
