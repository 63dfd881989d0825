"""Setting up a store and running it: init, users, sites, kill switch (platform_admin)."""

from __future__ import annotations

from pathlib import Path

from app.i18n import N_, _
from app.errors import EXIT_BLOCKED, EXIT_FAILED, UserError
from app.ops.policy import ADMINS, reason_check, refuse_unless, role_check
from app.ops.session import Session, check_clock_override, is_overridden
from app.ops.tenancy import own_tenant
from app.ops.text import check_free_text, check_login, printable
from engine.clock import Clock
from engine.models import CODE_PATTERN
from storage.errors import Conflict, NotFound
from storage.models import KillSwitch, SiteRecord, UserRecord
from storage.repo_tenancy import ROLES  # the one list of roles
from storage.scope import Actor, Scope
from storage.store import Store


def _valid_code(kind: str, code: str) -> str:
    if not CODE_PATTERN.fullmatch(code):
        raise UserError(_("{kind} {printable!r} must match ^[a-z][a-z0-9_]{{2,30}}$").format(kind=kind, printable=printable(code)), EXIT_FAILED)
    return code


def _require_admin(s: Session) -> None:
    refuse_unless(role_check(s.role, ADMINS, N_("administer")))


def init_store(
    db_path: Path, clock: Clock, login: str, tenant: str, site: str, *, name: str = "", admin: str | None = None,
) -> UserRecord:
    """Create the store, or (for one of its platform admins) add a site to their tenant or a new tenant.

    On a new store the creating OS user becomes platform_admin. A store that has users takes `init`
    only from an active platform_admin of it: for their own tenant it adds the site; a new tenant
    needs `admin`, the login of its first platform_admin (nobody joins a second tenant)."""
    _valid_code("tenant", tenant)
    _valid_code("site", site)
    check_login(login)
    if admin is not None:
        check_login(admin)
    check_free_text("name", name)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(db_path, clock=clock.now, clock_override=is_overridden(clock))
    store.init()
    caller = store.users.identify(login)
    is_admin = caller is not None and caller.active and caller.role == "platform_admin"
    if store.users.has_users() and not is_admin:
        # init must not make anyone (a stranger, a viewer, a removed user) platform_admin of anything here
        raise UserError(
            _("blocked: the store {db_path} already has users and {login} is not one of its platform admins; a platform_admin runs 'solvereign users add {login} --role ROLE --tenant T --sites S'").format(db_path=db_path, login=login),
            EXIT_BLOCKED,
        )
    check_clock_override(clock, caller.role if caller is not None else "platform_admin")  # the creator of a new store
    actor = Actor(name=login, role="platform_admin")
    if caller is not None and caller.tenant != tenant:
        return _new_tenant(store, db_path, caller, actor, tenant, site, admin, name)
    if admin not in (None, login):
        raise UserError(_("--admin names the first admin of a new tenant; tenant {tenant} is yours already").format(tenant=tenant), EXIT_FAILED)
    sites = sorted({site, *(caller.sites if caller else ())})
    scope = Scope(tenant=tenant, sites=frozenset(sites))
    store.tenants.ensure(scope)
    if caller is None or site not in caller.sites:
        try:
            store.sites.create(scope, site, enabled=True, actor=actor, reason="created by init")
        except Conflict as exc:
            raise UserError(_("blocked: {message}").format(message=exc.message), EXIT_BLOCKED) from None
    return store.users.upsert(scope, login, name=name or login, email="", role="platform_admin", sites=sites, actor=actor)


def _new_tenant(
    store: Store, db_path: Path, caller: UserRecord, actor: Actor, tenant: str, site: str, admin: str | None, name: str,
) -> UserRecord:
    if admin is None:
        raise UserError(
            _("tenant {tenant} is not yours ({login} belongs to {tenant2}): to create it, name its first platform_admin with --admin LOGIN").format(tenant=tenant, login=caller.login, tenant2=caller.tenant), EXIT_FAILED,
        )
    if _tenant_exists(store, tenant):
        raise UserError(_("blocked: tenant {tenant} already exists in {db_path}; its own platform_admin manages it").format(tenant=tenant, db_path=db_path), EXIT_BLOCKED)
    if store.users.identify(admin) is not None:
        raise UserError(_("login {admin} cannot be added here; choose another login").format(admin=admin), EXIT_FAILED)
    scope = Scope(tenant=tenant, sites=frozenset({site}))
    store.tenants.ensure(scope)
    store.sites.create(scope, site, enabled=True, actor=actor, reason=f"created by init ({caller.login})")
    return store.users.upsert(scope, admin, name=name or admin, email="", role="platform_admin", sites=[site], actor=actor)


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
    check_login(login)
    check_free_text("name", name)
    check_free_text("email", email)
    own_tenant(s, tenant)
    if role not in ROLES:
        raise UserError(_("unknown role {role!r}; expected one of {items}").format(role=role, items=', '.join(ROLES)), EXIT_FAILED)
    if not sites:
        raise UserError(_("--sites needs at least one site"), EXIT_FAILED)
    return s.store.users.upsert(s.scope, login, name=name or login, email=email, role=role, sites=sites, actor=s.actor)  # type: ignore[arg-type]


def list_users(s: Session) -> list[UserRecord]:
    return s.store.users.list_users(s.scope)


def remove_user(s: Session, login: str) -> UserRecord:
    """Deactivate (records keep naming the user; the login can no longer act)."""
    _require_admin(s)
    if login == s.user.login:
        raise UserError(_("you cannot remove yourself"), EXIT_FAILED)
    user = s.store.users.get(s.scope, login)
    return s.store.users.upsert(
        s.scope, login, name=user.name, email=user.email, role=user.role, sites=list(user.sites), actor=s.actor, active=False
    )


def set_site(s: Session, site: str, enabled: bool, reason: str | None = None) -> SiteRecord:
    """Site gate: enabled sites may publish and lock; others run in shadow mode. A code the tenant does
    not use yet creates the site (and adds it to the admin's sites); a site of the tenant that is not one
    of the admin's own is refused, never joined."""
    _require_admin(s)
    _valid_code("site", site)
    if reason:
        check_free_text("reason", reason)
    why = reason or f"{'enabled' if enabled else 'disabled'} by {s.display}"
    if site in s.user.sites:
        return s.store.sites.set_enabled(s.scope, site, enabled, actor=s.actor, reason=why)
    if s.login != s.user.login:  # under --as the admin acts within the target's sites only
        raise UserError(_("site {site} not found").format(site=site), EXIT_FAILED)
    wider = Scope(tenant=s.user.tenant, sites=frozenset({*s.user.sites, site}))
    try:
        record = s.store.sites.create(wider, site, enabled=enabled, actor=s.actor, reason=why)
    except Conflict as exc:
        raise UserError(_("blocked: {message}").format(message=exc.message), EXIT_BLOCKED) from None
    s.store.users.upsert(
        wider, s.user.login, name=s.user.name, email=s.user.email, role=s.user.role, sites=sorted(wider.sites), actor=s.actor,
    )
    return record


def list_sites(s: Session) -> list[SiteRecord]:
    return s.store.sites.list_sites(s.scope)


def set_kill_switch(s: Session, on: bool, reason: str) -> KillSwitch:
    _require_admin(s)
    refuse_unless(reason_check(reason))  # the same reason gate as publish/lock/reject
    return s.store.settings.set_kill_switch(s.scope, on, actor=s.actor, reason=reason.strip())
