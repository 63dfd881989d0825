"""Hand edits, pins and the freeze window over HTTP: the CLI's `edit`, `pin`/`unpin` and `freeze`,
the same use cases (403 role, gate or broken rule; 404 plan, instance or site; 422 a bad body)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python

from app.ops import edit as edit_ops
from app.ops import freeze as freeze_ops
from app.ops.forecasts import pick_site
from app.ops.versions import load_base
from app.server.routes import API, Caller, once, out

router = APIRouter(tags=["edits"])


class EditBody(BaseModel):
    changes_of: Literal["move", "swap"] = Field(description="move INSTANCE to DRIVER, or swap A and B on DAY")
    instance: str = Field(default="", max_length=200)
    to_driver: str = Field(default="", max_length=200)
    driver_a: str = Field(default="", max_length=200)
    driver_b: str = Field(default="", max_length=200)
    day: int = Field(default=0, ge=0, le=7, description="1=Mon … 7=Sun (with swap)")
    reason: str = Field(default="", max_length=2000, description="why (at least 10 visible characters; recorded)")
    override_freeze: bool = Field(default=False, description="emergency: change a frozen instance (on_call, platform_admin)")
    preview: bool = Field(default=False, description="only check the rules; store nothing")


class PinBody(BaseModel):
    pinned: bool = Field(default=True, description="false: unpin")
    reason: str = Field(default="", max_length=2000)


class HorizonBody(BaseModel):
    minutes: int = Field(ge=-1_000_000, le=1_000_000, description="the freeze horizon (the use case checks the range)")
    reason: str = Field(default="", max_length=2000)


@router.post(f"{API}/plans/{{plan_id}}/edit")
def post_edit(request: Request, s: Caller, plan_id: int, body: EditBody) -> JSONResponse:
    """A checked preview (200) or a new edit version (201); a change that breaks a rule is refused (403)."""

    def compute() -> tuple[int, Any]:
        outcome = edit_ops.edit(s, plan_id, **body.model_dump())
        return (200 if outcome.run is None else 201), to_jsonable_python(outcome)

    return once(request, s, body.model_dump_json().encode(), compute)


@router.get(f"{API}/plans/{{plan_id}}/edit-base")
def get_edit_base(s: Caller, plan_id: int) -> JSONResponse:
    """What the cockpit's move dialog checks each keystroke against (app.ops.versions.Base): the plan,
    its forecast with the roster, frozen and pinned instances; 404 out of scope, 422 not editable."""
    base = load_base(s, plan_id, what="an edit")
    return out({"detail": base.detail, "forecast": base.forecast, "frozen": sorted(base.frozen), "pins": base.pins,
                "horizon_min": base.horizon_min, "now": base.now})


@router.post(f"{API}/plans/{{plan_id}}/pins/{{instance_id}}")
def post_pin(request: Request, s: Caller, plan_id: int, instance_id: str, body: PinBody | None = None) -> JSONResponse:
    """Pin an instance to its driver (or unpin it): the pin, null once unpinned."""
    body = body or PinBody()
    return once(request, s, body.model_dump_json().encode(), lambda: (200, to_jsonable_python({"pin": edit_ops.pin(
        s, plan_id, instance_id, reason=body.reason, pinned=body.pinned), "pinned": body.pinned})))


@router.get(f"{API}/plans/{{plan_id}}/freeze")
def get_freeze(s: Caller, plan_id: int) -> JSONResponse:
    """What is frozen in the plan now, the next freeze, and the plan's size and frozen days (for the CLI's line)."""
    detail = s.store.plans.detail(s.scope, plan_id)
    view = freeze_ops.freeze_of(s, detail)
    return out({"freeze": view, "shape": freeze_ops.frozen_days(detail, view)})


@router.get(f"{API}/freeze-horizon")
def get_horizon(s: Caller, site: Annotated[str | None, Query(max_length=64)] = None) -> JSONResponse:
    site = pick_site(s, site)
    return out({"site": site, "horizon_min": freeze_ops.horizon(s, site)})


@router.put(f"{API}/freeze-horizon")
def put_horizon(request: Request, s: Caller, body: HorizonBody,
                site: Annotated[str | None, Query(max_length=64)] = None) -> JSONResponse:
    """Set a site's freeze horizon (platform_admin, with a reason; logged like every setting)."""

    def compute() -> tuple[int, Any]:
        chosen = pick_site(s, site)
        return 200, {"site": chosen, "horizon_min": freeze_ops.set_horizon(s, chosen, body.minutes, body.reason)}

    return once(request, s, body.model_dump_json().encode(), compute)
