"""Who is asking: the caller's tenant and sites, and the actor behind a change.

Every repository method takes a `Scope`; rows of another tenant or site are
filtered in SQL, so they behave exactly like rows that do not exist. Methods are
tagged `@reads` / `@writes` so tests can prove each one honours the scope.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

F = TypeVar("F", bound=Callable[..., Any])


class Scope(BaseModel):
    """A tenant and the subset of its sites the caller may see."""

    model_config = ConfigDict(frozen=True)

    tenant: str
    sites: frozenset[str]

    @field_validator("sites", mode="before")
    @classmethod
    def _as_set(cls, value: Iterable[str] | str) -> frozenset[str]:
        return frozenset([value] if isinstance(value, str) else value)

    @classmethod
    def of(cls, tenant: str, *sites: str) -> Scope:
        return cls(tenant=tenant, sites=frozenset(sites))

    def allows(self, tenant: str, site: str) -> bool:
        return tenant == self.tenant and site in self.sites

    def where(self, alias: str = "") -> tuple[str, list[Any]]:
        """SQL predicate (and its parameters) restricting rows to this scope."""
        p = f"{alias}." if alias else ""
        return f"{p}tenant_code = ? AND list_contains(?, {p}site_code)", [self.tenant, sorted(self.sites)]


class Actor(BaseModel):
    """Who performs a change, as written into approval records (e.g. "root as alice")."""

    model_config = ConfigDict(frozen=True)

    name: str
    role: str

    @classmethod
    def system(cls) -> Actor:
        return cls(name="system", role="system")


# the scope of the repository method running now: PostgreSQL sessions set it per transaction for
# row-level security (storage/pg.py); DuckDB ignores it
CURRENT: ContextVar[Scope | None] = ContextVar("solvereign_scope", default=None)


def _scoped(fn: F, kind: str) -> F:
    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        scope = args[0] if args else kwargs.get("scope")
        if not isinstance(scope, Scope):
            raise TypeError(f"{fn.__qualname__} needs a Scope first")
        token = CURRENT.set(scope)
        try:
            return fn(self, *args, **kwargs)
        finally:
            CURRENT.reset(token)

    wrapper.__store_kind__ = kind  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def reads(fn: F) -> F:
    """Mark a scoped read (the isolation tests enumerate these); the database sees its scope too."""
    return _scoped(fn, "read")


def writes(fn: F) -> F:
    """Mark a scoped write (refused in read-only mode; enumerated by tests); the database sees its scope too."""
    return _scoped(fn, "write")
