"""Who is acting on which store: the OS login, `--as` for platform admins, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.errors import EXIT_BLOCKED, EXIT_FAILED, NotAUser, UserError
from engine.clock import Clock
from storage.models import UserRecord
from storage.scope import Actor, Scope
from storage.store import Store


@dataclass(frozen=True)
class Session:
    """One acting user on one store. Holds a path, never a connection."""

    store: Store
    clock: Clock
    login: str  # the OS login that typed the command
    user: UserRecord  # the effective user (differs from `login` under `--as`)

    @property
    def scope(self) -> Scope:
        return Scope(tenant=self.user.tenant, sites=frozenset(self.user.sites))

    @property
    def display(self) -> str:
        """"alice", or "root as alice" when a platform admin acts for someone."""
        return self.user.login if self.login == self.user.login else f"{self.login} as {self.user.login}"

    @property
    def actor(self) -> Actor:
        return Actor(name=self.display, role=self.user.role)

    @property
    def role(self) -> str:
        return self.user.role


def effective_login(actor_name: str) -> str:
    """The user an approval record speaks for: "root as alice" → "alice"."""
    return actor_name.rsplit(" as ", 1)[-1]


def open_store(db_path: Path, clock: Clock, *, read_only: bool = False) -> Store:
    if not db_path.exists():
        raise UserError(
            f"no store at {db_path}: an admin runs 'solvereign init --tenant T --site S' (or 'solvereign demo')",
            EXIT_FAILED,
        )
    return Store(db_path, read_only=read_only, clock=clock.now)


def open_session(db_path: Path, clock: Clock, login: str, *, act_as: str | None = None, read_only: bool = False) -> Session:
    """Identify the OS login in the store's users table; `--as` only for platform_admin."""
    store = open_store(db_path, clock, read_only=read_only)
    user = store.users.identify(login)
    hint = f"an admin runs 'solvereign --db {db_path} users add {login} --role dispatcher --tenant T --sites S'"
    if user is None or not user.active:
        raise NotAUser(login, f"you are {login} (your OS login), not a user of the store {db_path}: {hint}")
    if act_as and act_as != login:
        if user.role != "platform_admin":
            raise UserError(f"--as is only for platform_admin; {login} is {user.role}", EXIT_BLOCKED)
        target = store.users.identify(act_as)
        if target is None or not target.active or target.tenant != user.tenant:
            raise UserError(f"user {act_as!r} not found", EXIT_FAILED)
        user = target
    return Session(store=store, clock=clock, login=login, user=user)
