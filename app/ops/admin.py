"""Setting up a store and running it: init, users, sites, kill switch (platform_admin)."""

from __future__ import annotations

from pathlib import Path

from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.ops.policy import ADMINS, reason_check, refuse_unless, role_check
from app.ops.tenancy import own_tenant
from app.ops.session import Session
from engine.clock import Clock
from engine.models import CODE_PATTERN
from storage.errors import NotFound
from storage.models import KillSwitch, SiteRecord, UserRecord
from storage.scope import Actor, Scope
from storage.store import Store

ROLES = ("viewer", "dispatcher", "ops_lead", "on_call", "platform_admin")


def _valid_code(kind: str, code: str) -> str:
    if not CODE_PATTERN.match(code):
        raise UserError(f"{kind} {code!r} must match ^[a-z][a-z0-9_]{{2,30}}$", EXIT_FAILED)
    return code


def _require_admin(s: Session) -> None:
    refuse_unless(role_check(s.role, ADMINS, "administer"))


def init_store(db_path: Path, clock: Clock, login: str, tenant: str, site: str, *, name: str = "") -> UserRecord:
    """Create the store (or add a tenant to it); the creating OS user becomes its platform_admin."""
    _valid_code("tenant", tenant)
    _valid_code("site", site)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(db_path, clock=clock.now)
    store.init()
    existing = store.users.identify(login)
    if existing is not None and existing.tenant != tenant:
        raise UserError(f"login {login} already belongs to another tenant in {db_path}", EXIT_FAILED)
    is_admin = existing is not None and existing.active and existing.role == "platform_admin"
    if not is_admin and _tenant_exists(store, tenant):
        # init must not make anyone (a stranger, a viewer, a removed user) platform_admin of an existing tenant
        raise UserError(
            f"blocked: tenant {tenant} already exists in {db_path} and {login} is not its platform_admin; "
            f"its admin runs 'solvereign users add {login} --role ROLE --tenant {tenant} --sites S'",
            EXIT_BLOCKED,
        )
    sites = sorted({site, *(existing.sites if existing else ())})
    scope = Scope(tenant=tenant, sites=frozenset(sites))
    actor = Actor(name=login, role="platform_admin")
    store.tenants.ensure(scope)
    if site not in {r.code for r in store.sites.list_sites(scope)}:
        store.sites.upsert(scope, site, name=site, enabled=True, actor=actor, reason="created by init")
    return store.users.upsert(scope, login, name=name or login, email="", role="platform_admin", sites=sites, actor=actor)


def _tenant_exists(store: Store, tenant: str) -> bool:
    try:
        store.tenants.get(Scope(tenant=tenant, sites=frozenset()))
    except NotFound:
        return False
    return True


def add_user(
    s: Session, login: str, *, role: str, tenant: str, sites: list[str], name: str = "", email: str = ""
) -> UserRecord:
    _require_admin(s)
    own_tenant(s, tenant)
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", EXIT_FAILED)
    if not sites:
        raise UserError("--sites needs at least one site", EXIT_FAILED)
    return s.store.users.upsert(s.scope, login, name=name or login, email=email, role=role, sites=sites, actor=s.actor)  # type: ignore[arg-type]


def list_users(s: Session) -> list[UserRecord]:
    return s.store.users.list_users(s.scope)


def remove_user(s: Session, login: str) -> UserRecord:
    """Deactivate (records keep naming the user; the login can no longer act)."""
    _require_admin(s)
    if login == s.user.login:
        raise UserError("you cannot remove yourself", EXIT_FAILED)
    user = s.store.users.get(s.scope, login)
    return s.store.users.upsert(
        s.scope, login, name=user.name, email=user.email, role=user.role, sites=list(user.sites), actor=s.actor, active=False
    )


def set_site(s: Session, site: str, enabled: bool, reason: str | None = None) -> SiteRecord:
    """Site gate: enabled sites may publish and lock; others run in shadow mode. A new code creates the site."""
    _require_admin(s)
    _valid_code("site", site)
    why = reason or f"{'enabled' if enabled else 'disabled'} by {s.display}"
    if site not in s.user.sites:
        user = s.store.users.upsert(
            Scope(tenant=s.user.tenant, sites=frozenset({*s.user.sites, site})),
            s.user.login, name=s.user.name, email=s.user.email, role=s.user.role,
            sites=sorted({*s.user.sites, site}), actor=s.actor,
        )
        scope = Scope(tenant=user.tenant, sites=frozenset(user.sites))
        return s.store.sites.upsert(scope, site, name=site, enabled=enabled, actor=s.actor, reason=why)
    return s.store.sites.set_enabled(s.scope, site, enabled, actor=s.actor, reason=why)


def list_sites(s: Session) -> list[SiteRecord]:
    return s.store.sites.list_sites(s.scope)


def set_kill_switch(s: Session, on: bool, reason: str) -> KillSwitch:
    _require_admin(s)
    refuse_unless(reason_check(reason))  # the same reason gate as publish/lock/reject
    return s.store.settings.set_kill_switch(s.scope, on, actor=s.actor, reason=reason.strip())
