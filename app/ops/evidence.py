"""Evidence packs of a plan (SPEC §8): export, the automatic pack on lock, verify.

The pack itself is built and checked by engine/evidence.py (bytes in, bytes out); here the store's
rows become its input, files are written atomically, and what needs the store's secret key (the
HMAC of each approval record) is checked when a store is at hand.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from app.i18n import _
from app.errors import EXIT_FAILED, UserError
from app.ops.session import Session
from app.settings import resolve_evidence_dir
from engine.evidence import PackInput, PackReport, build_pack, verify_pack
from storage.clock import iso_utc
from storage.models import ApprovalRecord, RunDetail
from storage.repo_evidence import EvidencePack

EXPORTABLE = frozenset({"AUDITED", "PUBLISHED", "LOCKED", "SUPERSEDED"})  # plans with audited content
LOCKED_STATES = frozenset({"LOCKED", "SUPERSEDED"})


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    size: int


def record_dict(r: ApprovalRecord) -> dict[str, Any]:
    """An approval record as the pack holds it (times in the chain's own fixed form)."""
    doc = r.model_dump(mode="json")
    doc["at"] = iso_utc(r.at)
    doc["real_at"] = iso_utc(r.real_at) if r.real_at else None
    doc["conditions_met"] = list(r.conditions_met)
    return doc


def pack_input(s: Session, run_id: int) -> PackInput:
    """The pack's content from the store. A locked (or since superseded) plan's pack ends at its lock
    record, so it is the same pack whenever it is exported."""
    with s.store.snapshot():
        detail = s.store.plans.detail(s.scope, run_id)
        run = detail.summary
        if run.state not in EXPORTABLE:
            raise UserError(_("plan {run_id} is {state}: only audited plans have an evidence pack").format(run_id=run_id, state=run.state), EXIT_FAILED)
        content = s.store.forecasts.content(s.scope, run.forecast_id)
        records, state, locked_at = _records(detail)
        chain = s.store.evidence.chain_links(s.scope, run_id, records[-1].seq)
    return PackInput(
        plan_id=run.id, tenant=run.tenant, site=run.site, week=run.week_anchor.isoformat(), version=run.version,
        kind=run.kind, parent_plan_id=run.parent_plan_id, seed=run.seed, solver_config_hash=run.solver_config_hash,
        input_hash=run.input_hash, output_hash=run.output_hash or "", state=state, locked_at=locked_at,
        source_format=detail.forecast.source_format, raw_input=content.raw_bytes, canonical_json=content.canonical_json,
        instances=detail.instances, assignments=detail.assignments,
        audits=[a.model_dump(mode="json") for a in detail.audits], kpis=run.kpis,
        approvals=[record_dict(r) for r in records], chain=chain, redacted_by=content.redacted_by,
    )


def _records(detail: RunDetail) -> tuple[list[ApprovalRecord], str, str | None]:
    records = list(detail.approvals)
    locks = [i for i, r in enumerate(records) if r.action == "lock"]
    if detail.summary.state not in LOCKED_STATES or not locks:  # not locked, or superseded while PUBLISHED
        return records, detail.summary.state, None
    last_lock = locks[-1]
    records = records[: last_lock + 1]
    return records, "LOCKED", iso_utc(records[-1].at)


def pack_bytes(s: Session, run_id: int) -> bytes:
    return build_pack(pack_input(s, run_id))


def write_atomically(path: Path, data: bytes) -> Written:
    """Write next to the target and rename, so a reader never sees half a pack."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(_("cannot write {path}: {value}").format(path=path, value=exc.strerror or exc), EXIT_FAILED) from None
    return Written(path=path, sha256="sha256:" + hashlib.sha256(data).hexdigest(), size=len(data))


def export(s: Session, run_id: int, out: Path | None) -> Written:
    """`solvereign evidence RUN [--out FILE.zip]`: to FILE, or to the site's evidence folder (then,
    unless the store is read-only, recorded on the run as its pack)."""
    data = pack_bytes(s, run_id)
    written = write_atomically(out or default_path(s, run_id), data)
    if out is None and not s.store.read_only:
        s.store.evidence.record(s.scope, run_id, str(written.path), written.sha256, written.size, s.actor)
    return written


def default_path(s: Session, run_id: int) -> Path:
    run = s.store.plans.get(s.scope, run_id)
    return resolve_evidence_dir(s.store.path) / run.tenant / run.site / f"evidence_pack_{run_id}.zip"


def write_for_lock(s: Session, run_id: int) -> EvidencePack:
    """The pack every locked plan gets in the site's evidence folder, recorded on the run."""
    written = write_atomically(default_path(s, run_id), pack_bytes(s, run_id))
    return s.store.evidence.record(s.scope, run_id, str(written.path), written.sha256, written.size, s.actor)


def after_lock_note(s: Session, run_id: int) -> str:
    """The line the lock prints about its pack; a pack that cannot be written does not undo the lock."""
    try:
        pack = write_for_lock(s, run_id)
    except UserError as exc:
        return f"\nevidence pack NOT written: {exc.message} (retry: solvereign evidence {run_id})"
    return f"\nevidence pack {pack.path} {pack.sha256}"


def packs(s: Session, run_id: int) -> list[EvidencePack]:
    return s.store.evidence.for_plan(s.scope, run_id)


def read_pack(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(_("cannot read {path}: {value}").format(path=path, value=exc.strerror or exc), EXIT_FAILED) from None


def verify(path: Path) -> PackReport:
    """`solvereign evidence verify FILE.zip`: everything the pack proves on its own."""
    return verify_pack(read_pack(path))


class PackCheck(BaseModel):
    """The verdict `evidence verify` prints (and the API answers)."""

    ok: bool
    passed: list[str]
    failure: str | None
    plan_id: Any = None
    state: Any = None


def check_pack(data: bytes, s: Session | None) -> PackCheck:
    """What the pack proves on its own and, with a session (`--with-store`), against the store's key."""
    report = verify_pack(data)
    keyed = None
    if report.ok and s is not None:
        keyed = verify_keyed(s, report)
        if keyed is None:
            report.passed.append("approvals: every record's keyed hash holds (store key)")
    failure = report.failure or keyed
    return PackCheck(ok=failure is None, passed=report.passed, failure=failure,
                     plan_id=report.manifest.get("plan_id"), state=report.manifest.get("state"))


def verify_keyed(s: Session, report: PackReport) -> str | None:
    """With the store at hand: each record's keyed hash (needs the store key). None when all hold."""
    from storage import trust
    from storage.approvals import keyed_record_hash, record_hash

    key = trust.load_key(s.store.path, create=False)
    for doc in report.records:
        fields = dict(doc) | {"at": _when(doc["at"]), "real_at": _when(doc["real_at"]) if doc.get("real_at") else None}
        if str(doc["hash"]).startswith(trust.HMAC_PREFIX):
            if key is None:
                return f"the store key {trust.key_path(s.store.path)} is missing: keyed records cannot be checked"
            expected = keyed_record_hash(key, fields)
        else:
            expected = record_hash(fields)
        if not trust.same_hash(expected, str(doc["hash"])):
            return f"approval record #{doc['seq']}: content does not match its keyed hash (record was edited)"
    return None


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
