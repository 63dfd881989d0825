"""Tenants, sites (publish-enabled or shadow), users, and tenant settings such as the kill switch.

Users and settings are checked against the scope like everything else; the one
exception is `UserRepo.identify`, the sign-in lookup that turns a login into the
record the app builds the caller's `Scope` from (it returns only that login's row).
"""

from __future__ import annotations

import json
from typing import Any

from storage.clock import from_db
from storage.backend import Database
from storage.errors import Conflict, InvalidInput, LastAdmin, NotFound
from storage.models import KillSwitch, Role, SettingRecord, SiteRecord, TenantRecord, UserRecord
from storage.scope import Actor, Scope, reads, writes
from storage.tenancy_rows import SITE_COLUMNS, ensure_site, ensure_tenant, site_from_row

KILL_SWITCH = "kill_switch"
ROLES: tuple[str, ...] = ("viewer", "dispatcher", "ops_lead", "on_call", "platform_admin", "dpo")
_USER_COLUMNS = "login, tenant_code, name, email, role, sites, active, updated_by, updated_at"


class TenantRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def ensure(self, scope: Scope, name: str = "") -> TenantRecord:
        """Create the caller's tenant row if missing (setup)."""
        with self._db.session(write=True) as tx:
            ensure_tenant(tx, scope.tenant, name)
            row = tx.one("SELECT code, name, created_at FROM tenants WHERE code = ?", [scope.tenant])
        assert row is not None
        return TenantRecord(code=row[0], name=row[1], created_at=from_db(row[2]))

    def all_scopes(self) -> list[Scope]:
        """Every tenant with all its sites: for the server's scheduled jobs only (like `UserRepo.identify`,
        a system lookup; each job then works inside one of these scopes)."""
        with self._db.session(write=False, system=True) as tx:
            rows = tx.all("SELECT tenant_code, list(code ORDER BY code) FROM sites GROUP BY tenant_code ORDER BY tenant_code")
        return [Scope(tenant=r[0], sites=frozenset(r[1])) for r in rows]

    @reads
    def get(self, scope: Scope) -> TenantRecord:
        with self._db.session(write=False) as tx:
            row = tx.one("SELECT code, name, created_at FROM tenants WHERE code = ?", [scope.tenant])
        if row is None:
            raise NotFound(f"tenant {scope.tenant} not found")
        return TenantRecord(code=row[0], name=row[1], created_at=from_db(row[2]))


class SiteRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def upsert(self, scope: Scope, code: str, *, name: str, enabled: bool, actor: Actor, reason: str = "") -> SiteRecord:
        """Create or update a site of the caller's scope."""
        self._check(scope, code)
        with self._db.session(write=True) as tx:
            ensure_site(tx, scope.tenant, code, actor)
            tx.execute(
                "UPDATE sites SET name = ?, enabled = ?, reason = ?, updated_by = ?, updated_at = ? WHERE tenant_code = ? AND code = ?",
                [name, enabled, reason, actor.name, tx.now, scope.tenant, code],
            )
            return self._load(tx, scope, code)

    @writes
    def create(self, scope: Scope, code: str, *, enabled: bool, actor: Actor, reason: str) -> SiteRecord:
        """A new site of the caller's tenant (the caller's scope must already name it). A code the
        tenant already uses is refused: an admin reaches only the sites of their own scope."""
        self._check(scope, code)
        with self._db.session(write=True) as tx:
            if tx.one("SELECT 1 FROM sites WHERE tenant_code = ? AND code = ?", [scope.tenant, code]) is not None:
                raise Conflict(f"site {code} is not one of your sites (only a platform_admin of {code} can change it)")
            ensure_site(tx, scope.tenant, code, actor)
            tx.execute(
                "UPDATE sites SET enabled = ?, reason = ?, updated_by = ?, updated_at = ? WHERE tenant_code = ? AND code = ?",
                [enabled, reason, actor.name, tx.now, scope.tenant, code],
            )
            return self._load(tx, scope, code)

    @writes
    def set_enabled(self, scope: Scope, code: str, enabled: bool, *, actor: Actor, reason: str) -> SiteRecord:
        """Site gate: enabled sites may publish/lock, others run in shadow mode. Who/when/why are kept."""
        self._check(scope, code)
        if not reason.strip():
            raise InvalidInput("changing the site gate needs a reason")
        with self._db.session(write=True) as tx:
            changed = tx.changed(
                "UPDATE sites SET enabled = ?, reason = ?, updated_by = ?, updated_at = ? WHERE tenant_code = ? AND code = ?",
                [enabled, reason, actor.name, tx.now, scope.tenant, code],
            )
            if not changed:
                raise NotFound(f"site {code} not found")
            return self._load(tx, scope, code)

    @reads
    def get(self, scope: Scope, code: str) -> SiteRecord:
        with self._db.session(write=False) as tx:
            return self._load(tx, scope, code)

    @reads
    def list_sites(self, scope: Scope) -> list[SiteRecord]:
        where, params = _site_where(scope)
        with self._db.session(write=False) as tx:
            rows = tx.all(f"SELECT {SITE_COLUMNS} FROM sites WHERE {where} ORDER BY code", params)
        return [site_from_row(r) for r in rows]

    @staticmethod
    def _check(scope: Scope, code: str) -> None:
        if code not in scope.sites:
            raise NotFound(f"site {code} not found")

    @staticmethod
    def _load(tx: Any, scope: Scope, code: str) -> SiteRecord:
        where, params = _site_where(scope)
        row = tx.one(f"SELECT {SITE_COLUMNS} FROM sites WHERE code = ? AND {where}", [code, *params])
        if row is None:
            raise NotFound(f"site {code} not found")
        return site_from_row(row)


def _site_where(scope: Scope) -> tuple[str, list[Any]]:
    return "tenant_code = ? AND list_contains(?, code)", [scope.tenant, sorted(scope.sites)]


class UserRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    def identify(self, login: str) -> UserRecord | None:
        """Sign-in lookup: the login's own record (the app derives the caller's Scope from it)."""
        with self._db.session(write=False, system=True) as tx:
            row = tx.one(f"SELECT {_USER_COLUMNS} FROM users WHERE login = ?", [login])
        return None if row is None else _user(row)

    def has_users(self) -> bool:
        """Whether anyone is registered at all (`init` on a store with users needs one of its admins)."""
        with self._db.session(write=False, system=True) as tx:
            return bool(tx.scalar("SELECT count(*) FROM users"))

    @writes
    def upsert(
        self, scope: Scope, login: str, *, name: str, email: str, role: Role, sites: list[str] | tuple[str, ...],
        actor: Actor, active: bool = True,
    ) -> UserRecord:
        """Create or update a user of the caller's tenant, limited to the caller's sites."""
        if role not in ROLES:
            raise InvalidInput(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        outside = sorted(set(sites) - scope.sites)
        if outside:
            raise NotFound(f"site {outside[0]} not found")
        with self._db.session(write=True) as tx:
            existing = tx.unscoped_lookup("SELECT tenant_code, sites, role, active FROM users WHERE login = ?", [login])
            if existing is not None and (existing[0] != scope.tenant or not set(existing[1]) <= scope.sites):
                # the same words whichever tenant or site holds it: this must not tell which logins exist
                raise Conflict(f"login {login} cannot be added here; choose another login")
            if existing is not None and existing[2] == "platform_admin" and existing[3] and not (role == "platform_admin" and active):
                others = tx.scalar(
                    "SELECT count(*) FROM users WHERE tenant_code = ? AND role = 'platform_admin' AND active AND login <> ?",
                    [scope.tenant, login],
                )
                if not others:
                    raise LastAdmin(
                        f"blocked: {login} is the last platform_admin of tenant {scope.tenant}; "
                        "make another user platform_admin first"
                    )
            ensure_tenant(tx, scope.tenant)
            values = [scope.tenant, name, email, role, sorted(set(sites)), active, actor.name, tx.now]
            if existing is None:
                tx.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [login, *values])
            else:
                tx.execute(
                    "UPDATE users SET tenant_code = ?, name = ?, email = ?, role = ?, sites = ?, active = ?, "
                    "updated_by = ?, updated_at = ? WHERE login = ?",
                    [*values, login],
                )
            return self._load(tx, scope, login)

    @reads
    def get(self, scope: Scope, login: str) -> UserRecord:
        with self._db.session(write=False) as tx:
            return self._load(tx, scope, login)

    @reads
    def list_users(self, scope: Scope) -> list[UserRecord]:
        """Users of the tenant who share at least one site with the caller, showing only those shared sites."""
        with self._db.session(write=False) as tx:
            rows = tx.all(
                f"SELECT {_USER_COLUMNS} FROM users WHERE tenant_code = ? AND len(list_intersect(sites, ?)) > 0 ORDER BY login",
                [scope.tenant, sorted(scope.sites)],
            )
        return [u.model_copy(update={"sites": tuple(s for s in u.sites if s in scope.sites)}) for u in map(_user, rows)]

    @staticmethod
    def _load(tx: Any, scope: Scope, login: str) -> UserRecord:
        row = tx.one(
            f"SELECT {_USER_COLUMNS} FROM users WHERE login = ? AND tenant_code = ? AND len(list_intersect(sites, ?)) > 0",
            [login, scope.tenant, sorted(scope.sites)],
        )
        if row is None:
            raise NotFound(f"user {login} not found")
        return _user(row)


def _user(r: tuple[Any, ...]) -> UserRecord:
    return UserRecord(
        login=r[0], tenant=r[1], name=r[2], email=r[3], role=r[4], sites=tuple(r[5]), active=r[6],
        updated_by=r[7], updated_at=from_db(r[8]),
    )


class SettingsRepo:
    """Tenant-wide settings; every change is also appended to `settings_log` (who/when/why)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def put(self, scope: Scope, key: str, value: Any, *, actor: Actor, reason: str) -> SettingRecord:
        if not reason.strip():
            raise InvalidInput("changing a setting needs a reason")
        text = json.dumps(value, sort_keys=True)
        with self._db.session(write=True) as tx:
            ensure_tenant(tx, scope.tenant)
            real = tx.real_now if tx.clock_override else None
            params = [text, actor.name, tx.now, reason, real, scope.tenant, key]
            if not tx.changed(
                "UPDATE settings SET value = ?, set_by = ?, set_at = ?, reason = ?, real_at = ? WHERE tenant_code = ? AND key = ?", params
            ):
                tx.execute("INSERT INTO settings VALUES (?, ?, ?, ?, ?, ?, ?)", [scope.tenant, key, text, actor.name, tx.now, reason, real])
            tx.execute("INSERT INTO settings_log VALUES (?, ?, ?, ?, ?, ?, ?)", [scope.tenant, key, text, actor.name, tx.now, reason, real])
            return SettingRecord(key=key, value=value, set_by=actor.name, set_at=from_db(tx.now), reason=reason, real_at=from_db(real))

    @reads
    def get(self, scope: Scope, key: str) -> SettingRecord | None:
        with self._db.session(write=False) as tx:
            row = tx.one("SELECT key, value, set_by, set_at, reason, real_at FROM settings WHERE tenant_code = ? AND key = ?", [scope.tenant, key])
        return None if row is None else _setting(row)

    @reads
    def history(self, scope: Scope, key: str | None = None, limit: int = 50) -> list[SettingRecord]:
        """Newest first."""
        sql = "SELECT key, value, set_by, set_at, reason, real_at FROM settings_log WHERE tenant_code = ?"
        params: list[Any] = [scope.tenant]
        if key is not None:
            sql += " AND key = ?"
            params.append(key)
        with self._db.session(write=False) as tx:
            rows = tx.all(sql + " ORDER BY set_at DESC, rowid DESC LIMIT ?", [*params, limit])
        return [_setting(r) for r in rows]

    @reads
    def kill_switch(self, scope: Scope) -> KillSwitch:
        setting = self.get(scope, KILL_SWITCH)
        if setting is None:
            return KillSwitch(on=False)
        return KillSwitch(on=bool(setting.value), set_by=setting.set_by, set_at=setting.set_at, reason=setting.reason,
                          real_at=setting.real_at)

    @writes
    def set_kill_switch(self, scope: Scope, on: bool, *, actor: Actor, reason: str) -> KillSwitch:
        """When on, the app refuses publish and lock for the tenant."""
        record = self.put(scope, KILL_SWITCH, on, actor=actor, reason=reason)
        return KillSwitch(on=on, set_by=record.set_by, set_at=record.set_at, reason=record.reason, real_at=record.real_at)


def _setting(r: tuple[Any, ...]) -> SettingRecord:
    return SettingRecord(key=r[0], value=json.loads(r[1]), set_by=r[2], set_at=from_db(r[3]), reason=r[4], real_at=from_db(r[5]))
