"""Who is acting on which store: the OS login, `--as` for platform admins, the clock.

The person is always the real uid's account (app/settings.py). `--as` lets a platform admin act
for a user of their own tenant whose sites are all among the admin's own; what is done that way
stays the admin's act (recorded "adam as dora", and it counts as adam's approval). A clock override
(`--now`, SOLVEREIGN_NOW) is for platform admins, and for drills and test suites (SOLVEREIGN_DRILL=1);
records written under it carry the real time too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.errors import EXIT_BLOCKED, EXIT_FAILED, NotAUser, UserError
from app.i18n import _
from engine.clock import Clock, FixedClock
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

    @property
    def people(self) -> frozenset[str]:
        """The person at the keyboard and, under `--as`, the user they act for."""
        return frozenset({self.login, self.user.login})


def people_of(actor_name: str) -> frozenset[str]:
    """Everyone a record's actor stands for: "root as alice" → {root, alice} (one person, one approval)."""
    return frozenset(actor_name.split(" as "))


def is_overridden(clock: Clock) -> bool:
    return isinstance(clock, FixedClock)


def open_store(db_path: Path, clock: Clock, *, read_only: bool = False) -> Store:
    if not db_path.exists():
        raise UserError(
            _("no store at {path}: an admin runs 'solvereign init --tenant T --site S' (or 'solvereign demo')").format(path=db_path),
            EXIT_FAILED,
        )
    if not read_only:
        from app.ops.store_owner import refuse_if_owned

        refuse_if_owned(db_path)  # a served store takes writes through its server only
    return Store(db_path, read_only=read_only, clock=clock.now, clock_override=is_overridden(clock))


def check_clock_override(clock: Clock, role: str | None) -> None:
    """`--now` / SOLVEREIGN_NOW only for a platform admin (the person's role, not an `--as` target's) or in drill mode."""
    from app.settings import drill_mode

    if not is_overridden(clock) or drill_mode() or role == "platform_admin":
        return
    raise UserError(
        _("blocked: --now / SOLVEREIGN_NOW sets the clock for platform_admin only (you are {role}); "
          "drills and test suites set SOLVEREIGN_DRILL=1").format(role=role or _("not registered")),
        EXIT_BLOCKED,
    )


def open_session(db_path: Path, clock: Clock, login: str, *, act_as: str | None = None, read_only: bool = False) -> Session:
    """Identify the OS login in the store's users table; `--as` only for platform_admin."""
    store = open_store(db_path, clock, read_only=read_only)
    user = store.users.identify(login)
    if user is None or not user.active:
        hint = _("an admin runs 'solvereign --db {path} users add {login} --role dispatcher --tenant T --sites S'").format(
            path=db_path, login=login)
        raise NotAUser(login, _("you are {login} (your OS login), not a user of the store {path}: {hint}").format(
            login=login, path=db_path, hint=hint))
    check_clock_override(clock, user.role)
    if act_as and act_as != login:
        if user.role != "platform_admin":
            raise UserError(_("--as is only for platform_admin; {login} is {role}").format(login=login, role=user.role), EXIT_BLOCKED)
        target = store.users.identify(act_as)
        # only a user of the admin's own tenant whose every site is one of the admin's own
        if target is None or not target.active or target.tenant != user.tenant or not set(target.sites) <= set(user.sites):
            raise UserError(_("user {login} not found").format(login=repr(act_as)), EXIT_FAILED)

        user = target
    return Session(store=store, clock=clock, login=login, user=user)
