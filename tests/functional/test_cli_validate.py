"""`solvereign validate`: exit codes, --strict, --json, one-line failures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.cli import main
from testdata import FIXTURES, shared_file

OPTS = ["--tenant", "demo", "--site", "wien", "--anchor", "2026-01-05"]


def validate(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("name", "expected"),
    [("valid_export_long.csv", 0), ("warn_contract.json", 1), ("broken_lines.txt", 2)],
)
def test_exit_codes_pass_warn_fail(capsys, name, expected):
    code, out, _ = validate(capsys, str(FIXTURES / name), *OPTS)
    assert code == expected
    assert ("PASS", "WARN", "FAIL")[expected] in out.splitlines()[0]


def test_strict_turns_warn_into_fail(capsys):
    code, out, _ = validate(capsys, str(FIXTURES / "warn_contract.json"), "--strict", "--json")
    assert code == 2
    assert json.loads(out)["status"] == "FAIL"
    code, _, _ = validate(capsys, str(FIXTURES / "valid_contract.json"), "--strict")
    assert code == 0


def test_json_output_has_every_hard_gate_and_summary(capsys):
    code, out, _ = validate(capsys, str(FIXTURES / "valid_export_wide.csv"), *OPTS, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["status"] == "PASS"
    assert doc["input_hash"].startswith("sha256:")
    ids = [g["id"] for g in doc["gates"]]
    assert ids[:8] == [f"HG-00{i}" for i in range(1, 9)]
    assert set(doc["gates"][0]) >= {"id", "status", "count", "message", "rows"}
    assert doc["summary"]["templates"] == 4
    assert doc["summary"]["instances"] == 8
    assert doc["summary"]["total_hours"] == 36.0
    assert doc["summary"]["per_day"] == {"Mo": 5, "Di": 1, "Fr": 2}


def test_text_report_groups_findings_with_positions(capsys):
    code, out, _ = validate(capsys, str(FIXTURES / "broken_lines.txt"), *OPTS)
    assert code == 2
    assert "line 2: [MISSING_DAY]" in out
    assert "line 4: [INVALID_HOUR]" in out
    assert "HG-007 FAIL: 3 finding(s)" in out


@pytest.mark.parametrize("content", [b"", b"\x00\xff\x00\xfe" * 20, "Käse;1".encode("latin-1")])
def test_unreadable_files_fail_in_one_line(capsys, tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, out, err = validate(capsys, str(path), *OPTS)
    assert code == 2
    assert out.count("\n") == 1 and out.startswith(f"{path}: ✖ FAIL — reason: ") and err == ""
    assert "HG-001" not in out  # no gate table: nothing was judged


def test_a_file_that_cannot_be_read_is_one_line_and_exit_2(capsys, tmp_path):
    code, out, err = validate(capsys, "/missing/file")
    assert (code, out, err) == (2, "/missing/file: ✖ FAIL — reason: cannot read /missing/file: No such file or directory\n", "")


def test_missing_file_fails_in_one_line(capsys, tmp_path):
    code, out, _ = validate(capsys, str(tmp_path / "nope.csv"), "--json")
    assert code == 2
    doc = json.loads(out)
    assert doc["status"] == "FAIL" and "cannot read" in doc["error"]


def test_real_wien_week_through_the_installed_command():
    path = shared_file("wien_week_1385.csv")
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "validate", str(path), *OPTS, "--json"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["instances"] == 1385 and doc["summary"]["total_hours"] == 6232.5
