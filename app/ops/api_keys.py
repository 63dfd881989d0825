"""Per-user API keys for the HTTP server: created by a platform_admin, shown once, stored hashed.

A key stands for its user exactly as the OS login does for the CLI: the server identifies the key's
user and builds the same `Session`, so role, tenant and sites are enforced by the same use cases."""

from __future__ import annotations

import hashlib
import secrets

from app.i18n import N_, _
from app.errors import EXIT_BLOCKED, UserError
from app.ops.policy import ADMINS, refuse_unless, role_check
from app.ops.session import Session
from engine.clock import Clock
from storage.store import Store

KEY_PREFIX = "sv_"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(s: Session, login: str) -> str:
    """A new random key for `login` (a user of the admin's tenant and sites); only its hash is stored."""
    refuse_unless(role_check(s.role, ADMINS, N_("create API keys")))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    s.store.api_keys.add(s.scope, login, key_hash(key), s.actor)
    return key


def session_for_key(store: Store, clock: Clock, key: str | None) -> Session:
    """The Session of the key's user; `UserError` (exit 2) for a missing, unknown, revoked or inactive key."""
    if not key:
        raise UserError(_("no API key: send it in the X-API-Key header"), EXIT_BLOCKED)
    login = store.api_keys.login_for(key_hash(key))
    user = store.users.identify(login) if login else None
    if user is None or not user.active:
        raise UserError(_("invalid API key"), EXIT_BLOCKED)
    return Session(store=store, clock=clock, login=user.login, user=user)
