"""Evidence pack (SPEC §8): build and verify, bytes in, bytes out.

A pack is a zip that proves, to an auditor who has only the zip, what was planned (instances and
assignments), from which input (raw bytes and canonical form), by which rules (the seven audits,
re-run by `verify_pack`), and who approved it (the plan's approval records and the chain links
between them). Reproducible byte for byte: entries STORED (no compressor version in the bytes),
in one fixed order, with a fixed timestamp and mode; no wall clock inside (the manifest carries
the lock time). What needs the store's secret key (the HMAC of each record) is checked by the
app, not here (see README "Evidence packs").
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.audits import run_audits
from engine.driver_weeks import driver_weeks
from engine.ingest import ingest
from engine.kpis import compute_kpis
from engine.content import instance_rows, rows_hash
from engine.models import CanonicalForecast, Instance, sha256_prefixed
from engine.hashing import output_hash

PACK_FORMAT = 1
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry: fixed, never the export time
_MODE = 0o100644 << 16  # regular file, rw-r--r--
EXTENSIONS = {"json": "json", "csv": "csv", "text": "txt", "export": "csv"}
DATA_ENTRIES = ("canonical_input.json", "solver_output.json", "audit_results.json", "kpis.json", "approvals.json")
MANIFEST, CHECKSUMS = "manifest.json", "checksums.txt"
RECORD_FIELDS = (
    "seq", "tenant", "site", "plan_id", "action", "from_state", "to_state", "actor", "role", "reason",
    "conditions_met", "at", "real_at", "clock_override", "instances_hash", "assignments_hash", "output_hash",
    "prev_hash", "hash",
)


@dataclass(frozen=True)
class PackInput:
    """Everything a pack holds, as the store has it. `approvals` are the plan's records (JSON-ready
    dicts with RECORD_FIELDS); `chain` is (seq, prev_hash, hash) of every record of the site's chain
    from the plan's first record to its last, so the links between the plan's records can be
    followed without the other plans' content."""

    plan_id: int
    tenant: str
    site: str
    week: str
    version: int
    kind: str
    parent_plan_id: int | None
    seed: int
    solver_config_hash: str
    input_hash: str
    output_hash: str
    state: str
    locked_at: str | None
    source_format: str
    raw_input: bytes
    canonical_json: str
    instances: Sequence[Instance]
    assignments: dict[str, str]
    audits: list[dict[str, Any]]
    kpis: dict[str, Any]
    approvals: list[dict[str, Any]]
    chain: list[tuple[int, str, str]]
    redacted_by: tuple[int, ...] = ()  # GDPR erasures that pseudonymised a driver in the stored input


def _json(doc: Any) -> bytes:
    return (json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def forecast_entry(source_format: str) -> str:
    return f"forecast_input.{EXTENSIONS.get(source_format, 'bin')}"


def entry_order(source_format: str) -> list[str]:
    """The fixed order of a pack's entries: the manifest first, the checksums last, the rest sorted."""
    return [MANIFEST, *sorted([forecast_entry(source_format), *DATA_ENTRIES]), CHECKSUMS]


def _solver_output(p: PackInput) -> dict[str, Any]:
    weeks = driver_weeks(list(p.instances), p.assignments)
    return {
        "plan_id": p.plan_id,
        "output_hash": p.output_hash,
        "solver_config_hash": p.solver_config_hash,
        "seed": p.seed,
        "instances": instance_rows(p.instances),
        "assignments": sorted([k, v] for k, v in p.assignments.items()),
        "schedules": [w.model_dump(mode="json") for w in weeks],
    }


def build_pack(p: PackInput) -> bytes:
    """The zip's bytes; the same input gives the same bytes on any machine."""
    entries: dict[str, bytes] = {
        forecast_entry(p.source_format): p.raw_input,
        "canonical_input.json": p.canonical_json.encode("utf-8"),
        "solver_output.json": _json(_solver_output(p)),
        "audit_results.json": _json({"audits": p.audits}),
        "kpis.json": _json(p.kpis),
        "approvals.json": _json({
            "records": [{k: r[k] for k in RECORD_FIELDS} for r in p.approvals],
            "chain": [{"seq": s, "prev_hash": prev, "hash": h} for s, prev, h in p.chain],
        }),
    }
    manifest = {
        "pack_format": PACK_FORMAT,
        "plan_id": p.plan_id,
        "tenant": p.tenant,
        "site": p.site,
        "week": p.week,
        "version": p.version,
        "kind": p.kind,
        "parent_plan_id": p.parent_plan_id,
        "seed": p.seed,
        "solver_config_hash": p.solver_config_hash,
        "input_hash": p.input_hash,
        "output_hash": p.output_hash,
        "state": p.state,
        "locked_at": p.locked_at,
        "source_format": p.source_format,
        "files": [{"name": n, "sha256": _sha(entries[n]), "size": len(entries[n])} for n in sorted(entries)],
    }
    if p.redacted_by:  # input_hash stays the recorded original's; the entries hash to the redacted form
        manifest["input_redacted"] = {"by_erasures": list(p.redacted_by),
                                      "canonical_sha256": sha256_prefixed(entries["canonical_input.json"])}
    entries[MANIFEST] = _json(manifest)
    order = entry_order(p.source_format)
    entries[CHECKSUMS] = "".join(f"{_sha(entries[n])}  {n}\n" for n in order[:-1]).encode("ascii")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = _MODE
            zf.writestr(info, entries[name])
    return buf.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- verify ----------------------------------------------------------------------------


@dataclass
class PackReport:
    """The checks a verify ran, in order; the first failure stops it and is named."""

    passed: list[str] = field(default_factory=list)
    failure: str | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)  # for checks that need the store key

    @property
    def ok(self) -> bool:
        return self.failure is None


class _Failed(Exception):
    pass


def _need(ok: bool, why: str) -> None:
    if not ok:
        raise _Failed(why)


def _load(entries: dict[str, bytes], name: str) -> Any:
    try:
        return json.loads(entries[name].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Failed(f"{name} is not valid JSON ({exc})") from None


def verify_pack(data: bytes) -> PackReport:
    """Check a pack with nothing but its bytes: entries, checksums, manifest, hashes, audits, approvals."""
    report = PackReport()
    try:
        _verify(data, report)
    except _Failed as exc:
        report.failure = str(exc)
    return report


def _read_entries(data: bytes) -> tuple[list[str], dict[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _Failed(f"not a zip file ({exc})") from None
    names = [i.filename for i in zf.infolist()]
    _need(len(names) == len(set(names)), "an entry name appears twice")
    entries: dict[str, bytes] = {}
    for name in names:
        try:
            entries[name] = zf.read(name)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise _Failed(f"entry {name} is unreadable ({exc}): its bytes were changed") from None
    return names, entries


def _verify(data: bytes, report: PackReport) -> None:
    names, entries = _read_entries(data)
    inputs = [n for n in names if n.startswith("forecast_input.")]
    _need(MANIFEST in entries, f"entry {MANIFEST} is missing")
    _need(len(inputs) == 1, "entry forecast_input.* is missing" if not inputs else "more than one forecast_input.* entry")
    expected = [MANIFEST, *sorted([inputs[0], *DATA_ENTRIES]), CHECKSUMS]
    for name in expected:
        _need(name in entries, f"entry {name} is missing")
    for name in names:
        _need(name in expected, f"unexpected entry {name}")
    _need(names == expected, f"entries are out of order (expected {', '.join(expected)})")
    report.passed.append(f"entries: the {len(expected)} expected, in order")

    sums = _checksums(entries[CHECKSUMS])
    for name in expected[:-1]:
        _need(name in sums, f"checksums.txt has no line for {name}")
        _need(sums[name] == _sha(entries[name]), f"checksum of {name} does not match checksums.txt (the entry was changed)")
    _need(set(sums) == set(expected[:-1]), "checksums.txt lists an entry the pack does not hold")
    report.passed.append("checksums.txt: every entry matches")

    manifest = _load(entries, MANIFEST)
    _need(isinstance(manifest, dict), "manifest.json is not an object")
    report.manifest = manifest
    listed = {f.get("name"): f for f in manifest.get("files", []) if isinstance(f, dict)}
    _need(set(listed) == set(expected[1:-1]), "manifest.json's file list differs from the pack's entries")
    for name in expected[1:-1]:
        _need(listed[name].get("sha256") == _sha(entries[name]), f"manifest.json's sha256 of {name} does not match the entry")
        _need(listed[name].get("size") == len(entries[name]), f"manifest.json's size of {name} does not match the entry")
    fmt = str(manifest.get("source_format"))
    _need(fmt in EXTENSIONS and forecast_entry(fmt) == inputs[0],
          "manifest.json's source_format does not match the forecast_input entry")
    report.passed.append("manifest.json: file list, sizes and sha256 match")

    canonical_text = entries["canonical_input.json"].decode("utf-8", errors="replace")
    redacted = manifest.get("input_redacted")
    if redacted is not None:  # a GDPR erasure pseudonymised a driver: the original's hash is only recorded
        _need(isinstance(redacted, dict) and bool(redacted.get("by_erasures")) and bool(redacted.get("canonical_sha256")),
              "manifest.json's input_redacted names no erasure or no hash")
        input_hash, hash_name = redacted["canonical_sha256"], "input_redacted.canonical_sha256"
    else:
        input_hash, hash_name = manifest.get("input_hash"), "input_hash"
    _need(sha256_prefixed(entries["canonical_input.json"]) == input_hash,
          f"input hash: sha256 of canonical_input.json differs from manifest.json's {hash_name}")
    try:
        forecast = CanonicalForecast.from_canonical_dict(json.loads(canonical_text))
    except (ValueError, KeyError, TypeError) as exc:
        raise _Failed(f"canonical_input.json is not a canonical forecast ({exc})") from None
    _need(forecast.canonical_json() == canonical_text and forecast.input_hash == input_hash,
          "canonical_input.json is not in canonical form")
    _need((forecast.tenant_code, forecast.site_code, forecast.week_anchor_date.isoformat())
          == (manifest.get("tenant"), manifest.get("site"), manifest.get("week")),
          "canonical_input.json's tenant, site or week differs from manifest.json")
    reparsed = ingest(entries[inputs[0]], fmt=fmt, tenant=forecast.tenant_code, site=forecast.site_code,
                      anchor=forecast.week_anchor_date)
    _need(reparsed.forecast is not None and reparsed.forecast.input_hash == forecast.input_hash,
          f"{inputs[0]} does not canonicalise to canonical_input.json (input hash differs)")
    report.passed.append(f"input: {inputs[0]} → canonical_input.json → {forecast.input_hash}" + (
        f" (redacted by erasure #{', #'.join(map(str, redacted['by_erasures']))}; recorded original {manifest.get('input_hash')})"
        if redacted is not None else ""))

    out = _load(entries, "solver_output.json")
    instances, assignments = _plan_of(out)
    _need(out.get("solver_config_hash") == manifest.get("solver_config_hash"), "solver_output.json's solver_config_hash differs from manifest.json")
    recomputed = output_hash(assignments, str(manifest.get("solver_config_hash")))
    _need(recomputed == manifest.get("output_hash") == out.get("output_hash"),
          "output hash: recomputed from solver_output.json's assignments it differs from manifest.json's output_hash")
    _need(sorted(instance_rows(instances)) == sorted(instance_rows(forecast.instances)),
          "solver_output.json's instances are not the canonical input's instances")
    schedules = [w.model_dump(mode="json") for w in driver_weeks(instances, assignments)]
    _need(out.get("schedules") == schedules, "solver_output.json's per-driver schedules do not follow from its assignments")
    report.passed.append(f"output: {len(assignments)} assignments → {recomputed}")

    fresh = [a.model_dump(mode="json") for a in run_audits(instances, assignments, drivers=forecast.drivers)]
    stored = _load(entries, "audit_results.json").get("audits")
    _need(isinstance(stored, list), "audit_results.json has no audit list")
    for mine, theirs in zip(fresh, stored + [None] * len(fresh), strict=False):
        got = theirs if isinstance(theirs, dict) else {}
        _need((got.get("name"), got.get("status"), got.get("violations")) == (mine["name"], mine["status"], mine["violations"]),
              f"audit {mine['name']}: re-run gives {mine['status']} ({mine['violations']} violations), "
              f"audit_results.json says {got.get('status')} ({got.get('violations')})")
    _need(len(stored) == len(fresh), "audit_results.json holds more audits than the seven")
    passed = sum(a["status"] == "PASS" for a in fresh)
    if manifest.get("state") in ("PUBLISHED", "LOCKED"):
        _need(passed == len(fresh), f"a {manifest.get('state')} plan must pass all audits, the re-run passes {passed}/{len(fresh)}")
    report.passed.append(f"audits: re-run {passed}/{len(fresh)}, as audit_results.json says")

    kpis = compute_kpis(instances, assignments).model_dump(mode="json")
    stored_kpis = _load(entries, "kpis.json")
    for key in ("coverage", "assigned", "instances", "drivers", "fte_drivers", "pt_drivers", "max_hours", "total_hours"):
        _need(isinstance(stored_kpis, dict) and stored_kpis.get(key) == kpis[key],
              f"kpis.json's {key} ({stored_kpis.get(key) if isinstance(stored_kpis, dict) else None}) differs from the recomputed {kpis[key]}")
    report.passed.append(f"kpis: {kpis['drivers']} drivers, coverage {kpis['coverage']:.0%}, as recomputed")

    report.records = _verify_approvals(_load(entries, "approvals.json"), manifest, instances, assignments)
    report.passed.append(f"approvals: {len(report.records)} records in chain order, linked, matching the plan's content")


def _checksums(data: bytes) -> dict[str, str]:
    sums: dict[str, str] = {}
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise _Failed("checksums.txt is not ASCII") from None
    for n, line in enumerate(text.splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        _need(bool(sep) and len(digest) == 64 and name not in sums, f"checksums.txt line {n} is malformed")
        sums[name] = digest
    return sums


def _plan_of(out: Any) -> tuple[list[Instance], dict[str, str]]:
    try:
        instances = [
            Instance(id=r[0], external_id=r[1], instance_no=r[2], day=r[3], start=r[4], end=r[5],
                     segments=tuple((int(a), int(b)) for a, b in r[6]), depot=r[8], skill=r[9], priority=r[10])
            for r in out["instances"]
        ]
        _need(all(r[7] == i.work_minutes for r, i in zip(out["instances"], instances, strict=True)),
              "solver_output.json: an instance's work_minutes does not match its segments")
        pairs = [(str(a), str(b)) for a, b in out["assignments"]]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise _Failed(f"solver_output.json is malformed ({exc})") from None
    _need(len({a for a, _ in pairs}) == len(pairs), "solver_output.json assigns an instance twice")
    return instances, dict(pairs)


def _verify_approvals(doc: Any, manifest: dict[str, Any], instances: list[Instance], assignments: dict[str, str]) -> list[dict[str, Any]]:
    """Order, links and content of the plan's approval records (what holds without the store key)."""
    try:
        records, chain = list(doc["records"]), list(doc["chain"])
        links = {int(c["seq"]): (str(c["prev_hash"]), str(c["hash"])) for c in chain}
        seqs = [int(r["seq"]) for r in records]
    except (KeyError, TypeError, ValueError) as exc:
        raise _Failed(f"approvals.json is malformed ({exc})") from None
    _need(bool(records), "approvals.json holds no approval records")
    _need(seqs == sorted(seqs) and len(set(seqs)) == len(seqs),
          f"approvals.json: records are out of chain order (seq {', '.join(map(str, seqs))})")
    chain_seqs = [int(c["seq"]) for c in chain]
    _need(chain_seqs == list(range(seqs[0], seqs[-1] + 1)),
          f"approvals.json: the chain does not run without gaps from #{seqs[0]} to #{seqs[-1]}")
    for c_prev, c in zip(chain, chain[1:], strict=False):
        _need(c["prev_hash"] == c_prev["hash"], f"approvals.json: chain record #{c['seq']} does not link to #{c_prev['seq']}")
    for r in records:
        _need(r.get("plan_id") == manifest.get("plan_id"), f"approval record #{r['seq']} belongs to plan {r.get('plan_id')}")
        _need((r.get("tenant"), r.get("site")) == (manifest.get("tenant"), manifest.get("site")),
              f"approval record #{r['seq']} belongs to another tenant or site")
        _need(links.get(int(r["seq"])) == (r.get("prev_hash"), r.get("hash")),
              f"approval record #{r['seq']}: its hashes are not the chain's at #{r['seq']}")
    for before, after in zip(records, records[1:], strict=False):
        _need(after.get("from_state") == before.get("to_state"),
              f"approval record #{after['seq']} starts from {after.get('from_state')}, the record before ends in {before.get('to_state')}")
    last = records[-1]
    _need(last.get("to_state") == manifest.get("state"),
          f"the newest approval record (#{last['seq']}) says {last.get('to_state')}, manifest.json says {manifest.get('state')}")
    if manifest.get("state") == "LOCKED":
        _need(last.get("action") == "lock" and last.get("at") == manifest.get("locked_at"),
              "manifest.json's locked_at is not the time of the lock record")
    if last.get("instances_hash") is not None:
        inst = rows_hash(instance_rows(instances))
        asg = rows_hash(sorted([k, v] for k, v in assignments.items()))
        _need(last["instances_hash"] == inst, f"approval record #{last['seq']}: its instances_hash differs from the pack's instances")
        _need(last["assignments_hash"] == asg, f"approval record #{last['seq']}: its assignments_hash differs from the pack's assignments")
        _need(last["output_hash"] == manifest.get("output_hash"), f"approval record #{last['seq']}: its output_hash differs from manifest.json's")
    return records
