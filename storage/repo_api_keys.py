"""API keys of the HTTP server: only a key's SHA-256 is stored; the key itself is shown once.

`login_for` is a sign-in lookup like `UserRepo.identify`: it turns a presented key's hash into
the login the app then identifies (and builds the caller's Scope from)."""

from __future__ import annotations

from storage.backend import Database
from storage.errors import NotFound
from storage.scope import Actor, Scope, writes


class ApiKeyRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @writes
    def add(self, scope: Scope, login: str, key_hash: str, actor: Actor) -> None:
        """Record a new key for a user of the caller's tenant and sites (several keys per user may exist)."""
        with self._db.session(write=True) as tx:
            row = tx.one(
                "SELECT 1 FROM users WHERE login = ? AND tenant_code = ? AND len(list_intersect(sites, ?)) > 0",
                [login, scope.tenant, sorted(scope.sites)],
            )
            if row is None:
                raise NotFound(f"user {login} not found")
            tx.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, NULL)", [key_hash, login, scope.tenant, actor.name, tx.now])

    def login_for(self, key_hash: str) -> str | None:
        """The login an unrevoked key belongs to (None: unknown or revoked)."""
        with self._db.session(write=False, system=True) as tx:
            row = tx.one("SELECT login FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", [key_hash])
        return None if row is None else str(row[0])
