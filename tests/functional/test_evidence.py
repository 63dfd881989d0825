"""Evidence packs (SPEC §8): written on lock, reproducible byte for byte, and `evidence verify`
catches any change an auditor must notice, naming the first failure."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from ops_world import DISPATCHER, LOCK_REASON, ROLE_LOGINS, World, cli, run_solvereign

from engine.evidence import entry_order

Entries = dict[str, bytes]


@pytest.fixture(scope="module")
def locked(world: World) -> tuple[World, int, str]:
    """The world's PUBLISHED run, locked (which writes its pack); the lock's output."""
    run_id = world.runs["published"]
    r = cli(world.db, "lock", str(run_id), "--reason", LOCK_REASON, login=DISPATCHER)
    assert r.code == 0, r
    return world, run_id, r.out


def export(world: World, run_id: int, out: Path, login: str = DISPATCHER) -> bytes:
    r = cli(world.db, "evidence", str(run_id), "--out", str(out), "--json", login=login)
    assert r.code == 0, r
    data = out.read_bytes()
    assert r.json["sha256"] == "sha256:" + hashlib.sha256(data).hexdigest()
    return data


def verify(world: World, path: Path, *extra: str) -> tuple[int, dict]:
    r = cli(world.db, "evidence", "verify", str(path), "--json", *extra, login=DISPATCHER)
    assert "Traceback" not in r.err
    return r.code, r.json


def entries_of(data: bytes) -> tuple[list[str], Entries]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        return names, {n: zf.read(n) for n in names}


def rezip(names: list[str], entries: Entries) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, entries[n])
    return buf.getvalue()


def test_lock_writes_the_pack_into_the_evidence_folder_and_the_run_names_its_hash(locked: tuple[World, int, str]) -> None:
    world, run_id, out = locked
    path = world.db.parent / "artifacts" / "evidence" / "acme" / "wien" / f"evidence_pack_{run_id}.zip"
    assert path.is_file()
    digest = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"evidence pack {path} {digest}" in out
    shown = cli(world.db, "show-run", str(run_id), "--json", login=DISPATCHER)
    assert shown.code == 0 and shown.json["evidence"][0]["sha256"] == digest
    assert digest in cli(world.db, "show-run", str(run_id), login=DISPATCHER).out


def test_the_pack_holds_the_spec_entries_in_a_fixed_order(locked: tuple[World, int, str], tmp_path: Path) -> None:
    world, run_id, _ = locked
    data = export(world, run_id, tmp_path / "p.zip")
    names, entries = entries_of(data)
    assert names == entry_order("export") == [
        "manifest.json", "approvals.json", "audit_results.json", "canonical_input.json", "forecast_input.csv",
        "kpis.json", "solver_output.json", "checksums.txt",
    ]
    assert entries["forecast_input.csv"] == world.files["clean_b"].read_bytes()  # raw bytes as received
    manifest = json.loads(entries["manifest.json"])
    assert manifest["state"] == "LOCKED" and manifest["plan_id"] == run_id
    assert {"tenant", "site", "week", "seed", "solver_config_hash", "input_hash", "output_hash", "locked_at"} <= set(manifest)
    records = json.loads(entries["approvals.json"])["records"]
    assert records[-1]["action"] == "lock" and records[-1]["at"] == manifest["locked_at"]
    assert all(r["hash"].startswith("hmac-sha256:") for r in records)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_checksums_txt_passes_sha256sum(locked: tuple[World, int, str], tmp_path: Path) -> None:
    world, run_id, _ = locked
    _, entries = entries_of(export(world, run_id, tmp_path / "p.zip"))
    for name, data in entries.items():
        (tmp_path / name).write_bytes(data)
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum is not installed")
    done = subprocess.run(["sha256sum", "-c", "checksums.txt"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 7


def test_two_exports_are_identical_also_as_another_user_and_after_a_newer_lock(
    locked: tuple[World, int, str], tmp_path: Path
) -> None:
    world, run_id, _ = locked
    first = export(world, run_id, tmp_path / "a.zip")
    later = run_solvereign(world.db, "evidence", str(run_id), "--out", str(tmp_path / "b.zip"), login=ROLE_LOGINS["viewer"],
                           now="2026-01-03T09:30")  # another process, user and clock
    assert later.code == 0, later
    assert (tmp_path / "b.zip").read_bytes() == first
    auto = world.db.parent / "artifacts" / "evidence" / "acme" / "wien" / f"evidence_pack_{run_id}.zip"
    assert auto.read_bytes() == first


def test_verify_passes_a_fresh_pack_offline_and_with_the_store_key(locked: tuple[World, int, str], tmp_path: Path) -> None:
    world, run_id, _ = locked
    path = tmp_path / "p.zip"
    export(world, run_id, path)
    code, doc = verify(world, path)
    assert code == 0 and doc["ok"] and doc["failure"] is None, doc
    assert any("audits: re-run 7/7" in p for p in doc["passed"])
    code, doc = verify(world, path, "--with-store")
    assert code == 0 and any("keyed hash" in p for p in doc["passed"]), doc
    r = run_solvereign(None, "evidence", "verify", str(path), login=None)  # no store at all: an auditor's machine
    assert r.code == 0 and "verifies" in r.out, r


def _json_edit(name: str, change: Callable[[dict], None]) -> Callable[[Entries], None]:
    def edit(entries: Entries) -> None:
        doc = json.loads(entries[name])
        change(doc)
        entries[name] = json.dumps(doc, sort_keys=True, indent=1).encode() + b"\n"
    return edit


def _flip_last(name: str) -> Callable[[Entries], None]:
    def edit(entries: Entries) -> None:
        data = bytearray(entries[name])
        data[-2] ^= 0x01
        entries[name] = bytes(data)
    return edit


EDITS = {name: _flip_last(name) for name in (
    "manifest.json", "approvals.json", "audit_results.json", "canonical_input.json", "forecast_input.csv",
    "kpis.json", "solver_output.json", "checksums.txt")}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_verify_catches_one_changed_byte_in_every_entry(locked: tuple[World, int, str], tmp_path: Path, name: str) -> None:
    world, run_id, _ = locked
    names, entries = entries_of(export(world, run_id, tmp_path / "p.zip"))
    EDITS[name](entries)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(names, entries))
    code, doc = verify(world, bad)
    assert code == 1 and not doc["ok"]
    assert name in doc["failure"], doc["failure"]


def test_verify_catches_a_flipped_byte_in_the_zip_file_itself(locked: tuple[World, int, str], tmp_path: Path) -> None:
    world, run_id, _ = locked
    data = bytearray(export(world, run_id, tmp_path / "p.zip"))
    for offset in range(0, len(data), max(1, len(data) // 40)):  # forty places spread over the file
        copy = bytearray(data)
        copy[offset] ^= 0x40
        bad = tmp_path / "bad.zip"
        bad.write_bytes(bytes(copy))
        code, doc = verify(world, bad)
        assert code == 1 and doc["failure"], (offset, doc)


def _consistent(entries: Entries, names: list[str]) -> None:
    """Recompute manifest sizes/sha256 and checksums.txt: an editor who knows the format (but not the key)."""
    manifest = json.loads(entries["manifest.json"])
    for f in manifest["files"]:
        f["sha256"] = hashlib.sha256(entries[f["name"]]).hexdigest()
        f["size"] = len(entries[f["name"]])
    entries["manifest.json"] = json.dumps(manifest, sort_keys=True, indent=1).encode() + b"\n"
    entries["checksums.txt"] = "".join(
        f"{hashlib.sha256(entries[n]).hexdigest()}  {n}\n" for n in names[:-1]).encode()


REWRITES: dict[str, tuple[Callable[[Entries], None], str]] = {
    "another driver": (_json_edit("solver_output.json", lambda d: d["assignments"][0].__setitem__(1, "X-EDITED")), "output hash"),
    "an audit count changed": (_json_edit("audit_results.json", lambda d: d["audits"][1].__setitem__("violations", 3)), "audit overlap"),
    "fewer drivers in kpis": (_json_edit("kpis.json", lambda d: d.__setitem__("drivers", d["drivers"] - 1)), "kpis.json's drivers"),
    "another reason": (_json_edit("approvals.json", lambda d: d["records"][-1].__setitem__("reason", "edited afterwards")), "keyed hash"),
    "a reordered record": (_json_edit("approvals.json", lambda d: d["records"].insert(0, d["records"].pop(2))), "out of chain order"),
    "a dropped record": (_json_edit("approvals.json", lambda d: d["records"].pop(1)), "starts from"),
    "a tour moved": (lambda e: e.__setitem__("forecast_input.csv", e["forecast_input.csv"].replace(b"06:15", b"06:20", 1)), "does not canonicalise"),
}


@pytest.mark.parametrize("case", sorted(REWRITES))
def test_verify_catches_consistent_rewrites(locked: tuple[World, int, str], tmp_path: Path, case: str) -> None:
    world, run_id, _ = locked
    names, entries = entries_of(export(world, run_id, tmp_path / "p.zip"))
    edit, expected = REWRITES[case]
    edit(entries)
    _consistent(entries, names)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(names, entries))
    code, doc = verify(world, bad, "--with-store")
    assert code == 1 and expected in doc["failure"], doc


def test_verify_catches_a_missing_an_extra_and_a_reordered_entry(locked: tuple[World, int, str], tmp_path: Path) -> None:
    world, run_id, _ = locked
    names, entries = entries_of(export(world, run_id, tmp_path / "p.zip"))
    cases = {
        "missing": (names[:3] + names[4:], "entry canonical_input.json is missing"),
        "extra": (names + ["notes.txt"], "unexpected entry notes.txt"),
        "reordered": ([names[1], names[0], *names[2:]], "out of order"),
    }
    entries["notes.txt"] = b"added later\n"
    for label, (order, expected) in cases.items():
        bad = tmp_path / f"{label}.zip"
        bad.write_bytes(rezip(order, entries))
        code, doc = verify(world, bad)
        assert code == 1 and expected in doc["failure"], (label, doc)


def test_verify_of_a_file_that_is_no_zip_or_absent_is_one_line(locked: tuple[World, int, str], tmp_path: Path) -> None:
    world, _, _ = locked
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    code, doc = verify(world, junk)
    assert code == 1 and "not a zip file" in doc["failure"]
    r = cli(world.db, "evidence", "verify", str(tmp_path / "absent.zip"), login=DISPATCHER)
    assert r.code == 1 and "cannot read" in r.error_line


def test_export_of_an_unaudited_or_hidden_run_is_refused(world: World, tmp_path: Path) -> None:
    r = cli(world.db, "evidence", "999999", "--out", str(tmp_path / "x.zip"), login=DISPATCHER)
    assert r.code == 1 and "not found" in r.error_line and not (tmp_path / "x.zip").exists()
    r = cli(world.db, "evidence", str(world.runs["rival"]), "--out", str(tmp_path / "x.zip"), login=DISPATCHER)
    assert r.code == 1 and "not found" in r.error_line and not (tmp_path / "x.zip").exists()
    r = cli(world.db, "evidence", "verify", login=DISPATCHER)
    assert r.code == 1 and "usage" in r.error_line


def test_the_evidence_folder_is_configurable_and_an_unwritable_one_does_not_undo_the_lock(
    fresh_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = fresh_world.runs["published"]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("SOLVEREIGN_EVIDENCE_DIR", str(blocker))
    r = cli(fresh_world.db, "lock", str(run_id), "--reason", LOCK_REASON, login=DISPATCHER)
    assert r.code == 0 and "LOCKED" in r.out and "evidence pack NOT written" in r.out, r
    assert cli(fresh_world.db, "show-run", str(run_id), "--json", login=DISPATCHER).json["evidence"] == []
    monkeypatch.setenv("SOLVEREIGN_EVIDENCE_DIR", str(tmp_path / "site-evidence"))
    r = cli(fresh_world.db, "evidence", str(run_id), login=DISPATCHER)
    assert r.code == 0, r
    pack = tmp_path / "site-evidence" / "acme" / "wien" / f"evidence_pack_{run_id}.zip"
    shown = cli(fresh_world.db, "show-run", str(run_id), "--json", login=DISPATCHER).json["evidence"]
    assert [(p["path"], p["sha256"]) for p in shown] == [(str(pack), "sha256:" + hashlib.sha256(pack.read_bytes()).hexdigest())]


def test_a_superseded_plan_keeps_the_pack_of_its_lock_and_an_audited_one_exports_too(fresh_world: World, tmp_path: Path) -> None:
    from ops_world import REASON, solve

    db, old = fresh_world.db, fresh_world.runs["published"]
    assert cli(db, "lock", str(old), "--reason", LOCK_REASON, login=DISPATCHER).code == 0
    at_lock = (db.parent / "artifacts" / "evidence" / "acme" / "wien" / f"evidence_pack_{old}.zip").read_bytes()
    newer = solve(db, fresh_world.forecasts["clean_b"], login=DISPATCHER)
    assert newer.code == 0, newer
    new_id = str(newer.json["run_id"])
    assert cli(db, "publish", new_id, "--reason", REASON, login=DISPATCHER).code == 0
    assert cli(db, "lock", new_id, "--reason", LOCK_REASON, login=DISPATCHER).code == 0
    assert cli(db, "show-run", str(old), "--json", login=DISPATCHER).json["run"]["state"] == "SUPERSEDED"
    assert export(fresh_world, old, tmp_path / "old.zip") == at_lock  # its pack ends at its lock record
    for run_id, state in ((old, "LOCKED"), (fresh_world.runs["clean"], "AUDITED")):
        path = tmp_path / f"{run_id}.zip"
        export(fresh_world, run_id, path)
        code, doc = verify(fresh_world, path, "--with-store")
        assert code == 0 and doc["state"] == state, doc
    r = cli(db, "evidence", str(fresh_world.runs["clean"]), "--out", str(tmp_path / "new" / "dir" / "p.zip"), login=DISPATCHER)
    assert r.code == 0 and (tmp_path / "new" / "dir" / "p.zip").is_file()  # the folder is created
