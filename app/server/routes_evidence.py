"""Evidence packs over HTTP: download a plan's pack, record one in the site's folder, verify an upload."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from app.ops import evidence as evidence_ops
from app.ops.evidence import Written
from app.server.errors import ApiError
from app.server.routes import API, MAX_UPLOAD, Caller, once, out

router = APIRouter(tags=["evidence"])


def written_doc(run_id: int, written: Written) -> dict[str, Any]:
    """`evidence RUN --json`'s document."""
    return {"run_id": run_id, "path": str(written.path), "sha256": written.sha256, "size": written.size}


@router.get(f"{API}/plans/{{plan_id}}/evidence", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "the evidence pack"}})
def get_evidence(s: Caller, plan_id: int) -> Response:
    """The plan's evidence pack (zip), built now; nothing is recorded."""
    return Response(evidence_ops.pack_bytes(s, plan_id), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="evidence_pack_{plan_id}.zip"'})


@router.post(f"{API}/plans/{{plan_id}}/evidence", status_code=201)
def post_evidence(request: Request, s: Caller, plan_id: int) -> JSONResponse:
    """Write the pack into the site's evidence folder on the server and record it on the plan."""
    return once(request, s, b"", lambda: (201, written_doc(plan_id, evidence_ops.export(s, plan_id, None))))


@router.post(f"{API}/evidence/verify",
             openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                                       "format": "binary"}}}}})
async def post_verify(
    request: Request, s: Caller,
    with_store: Annotated[bool, Query(description="also check each record's keyed hash with the store's key")] = False,
) -> JSONResponse:
    """Everything an uploaded pack proves on its own (and with `with_store`, against the store's key)."""
    data = await request.body()
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, f"evidence pack is {len(data)} bytes; the limit is {MAX_UPLOAD}")

    return out(await run_in_threadpool(evidence_ops.check_pack, data, s if with_store else None))
