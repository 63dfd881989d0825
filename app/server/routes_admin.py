"""Running a store over HTTP (platform_admin where the CLI asks for it): users and their roles,
sites and their gates, a new tenant, the kill switch; and the site's driver roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.ops import admin as admin_ops
from app.ops import roster as roster_ops
from app.ops.session import Session
from app.server.errors import ApiError
from app.server.routes import API, MAX_UPLOAD, Caller, ReasonBody, once, out
from storage.models import Role

router = APIRouter()
Site = Annotated[str | None, Query(max_length=64)]


class UserBody(BaseModel):
    role: Role
    tenant: str = Field(max_length=64)
    sites: list[str] = Field(min_length=1, max_length=100)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200)


class TenantBody(BaseModel):
    tenant: str = Field(max_length=64, description="the new tenant's code (or your own: then the site is added)")
    site: str = Field(max_length=64)
    admin: str | None = Field(default=None, max_length=64, description="a new tenant's first platform_admin")
    name: str = Field(default="", max_length=200)


class KillSwitchBody(BaseModel):
    on: bool
    reason: str = Field(max_length=2000, description="why (at least 10 visible characters; recorded)")


@router.get(f"{API}/users", tags=["users"])
def get_users(s: Caller) -> JSONResponse:
    return out({"users": admin_ops.list_users(s)})


@router.put(f"{API}/users/{{login}}", tags=["users"])
def put_user(s: Caller, login: str, body: UserBody) -> JSONResponse:
    """Add or update a user (role, sites); a PUT, so sending it twice is the same."""
    return out(admin_ops.add_user(s, login, role=body.role, tenant=body.tenant, sites=body.sites,
                                  name=body.name, email=body.email))


@router.delete(f"{API}/users/{{login}}", tags=["users"])
def delete_user(s: Caller, login: str) -> JSONResponse:
    """Deactivate a user (records keep naming them)."""
    return out(admin_ops.remove_user(s, login))


@router.post(f"{API}/tenants", tags=["users"], status_code=201)
def post_tenant(request: Request, s: Caller, body: TenantBody) -> JSONResponse:
    """`init` on the server's store: a site for your tenant, or a new tenant with its first admin."""
    return once(request, s, body.model_dump_json().encode(), lambda: (201, admin_ops.init_store(
        Path(s.store.path), s.clock, s.login, body.tenant, body.site, name=body.name, admin=body.admin,
    ).model_dump(mode="json")))


@router.get(f"{API}/sites", tags=["sites"])
def get_sites(s: Caller) -> JSONResponse:
    return out({"sites": admin_ops.list_sites(s)})


@router.post(f"{API}/sites/{{site}}/enable", tags=["sites"])
def post_site_enable(request: Request, s: Caller, site: str, body: ReasonBody | None = None) -> JSONResponse:
    return _site(request, s, site, True, body)


@router.post(f"{API}/sites/{{site}}/disable", tags=["sites"])
def post_site_disable(request: Request, s: Caller, site: str, body: ReasonBody | None = None) -> JSONResponse:
    """Shadow mode: solve and review only."""
    return _site(request, s, site, False, body)


def _site(request: Request, s: Session, site: str, enabled: bool, body: ReasonBody | None) -> JSONResponse:
    body = body or ReasonBody()
    return once(request, s, body.model_dump_json().encode(), lambda: (200, admin_ops.set_site(
        s, site, enabled, body.reason or None).model_dump(mode="json")))


@router.post(f"{API}/kill-switch", tags=["sites"])
def post_kill_switch(request: Request, s: Caller, body: KillSwitchBody) -> JSONResponse:
    """On: publish and lock are refused for the tenant."""
    return once(request, s, body.model_dump_json().encode(),
                lambda: (200, admin_ops.set_kill_switch(s, body.on, body.reason).model_dump(mode="json")))


@router.get(f"{API}/drivers", tags=["drivers"])
def get_drivers(s: Caller, site: Site = None) -> JSONResponse:
    """The roster of a site (default: every site the key sees)."""
    return out({"drivers": roster_ops.list_drivers(s, site=site)})


@router.post(f"{API}/drivers", tags=["drivers"],
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}}}})
async def post_drivers(request: Request, s: Caller, site: Site = None) -> JSONResponse:
    """Import a roster file (its bytes as the body): all or nothing; 422 lists every located problem."""
    data = await request.body()
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, f"roster upload is {len(data)} bytes; the limit is {MAX_UPLOAD}")

    def compute() -> tuple[int, Any]:
        try:
            outcome = roster_ops.import_drivers(s, site, data)
        except roster_ops.RosterRejected as exc:
            raise ApiError(422, exc.message, {"exit_code": exc.exit_code, "problems": [
                {"where": p.where, "message": p.message} for p in exc.problems]}) from None
        return 200, outcome.model_dump(mode="json")

    return await run_in_threadpool(once, request, s, data, compute)


@router.get(f"{API}/drivers/{{external_id}}", tags=["drivers"])
def get_driver(s: Caller, external_id: str, site: Site = None) -> JSONResponse:
    return out(roster_ops.show_driver(s, external_id, site=site))



@router.post(f"{API}/drivers/{{external_id}}/remove", tags=["drivers"])
def post_driver_remove(request: Request, s: Caller, external_id: str, site: Annotated[str, Query(max_length=64)],
                       body: ReasonBody) -> JSONResponse:
    """Remove one driver of `site` (logged with the reason)."""
    return once(request, s, body.model_dump_json().encode(), lambda: (200, roster_ops.remove_driver(
        s, external_id, site=site, reason=body.reason).model_dump(mode="json")))
