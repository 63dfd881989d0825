"""`solvereign solve` and `solvereign audit`: exit codes, plan file, hand edits, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from fixtures.generator import generate_week

ANCHOR = ["--anchor", "2026-01-05"]
PLAN_KEYS = {"input_hash", "output_hash", "seed", "solver_config_hash", "kpis", "lower_bound", "audits", "instances", "assignments"}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def week_file(tmp_path: Path) -> Path:
    path = tmp_path / "week.csv"
    path.write_text(generate_week(60, seed=7), encoding="utf-8")
    return path


@pytest.fixture
def solved(capsys, tmp_path: Path, week_file: Path) -> Path:
    plan = tmp_path / "plan.json"
    code, out, err = run(capsys, "solve", str(week_file), *ANCHOR, "--time-limit", "6", "--out", str(plan))
    assert code == 0, err
    assert "audits 7/7" in out and "lower bound" in out and "output_hash sha256:" in out
    assert "best" in err  # progress lines go to stderr
    return plan


def test_solve_writes_a_plan_file_that_audits_clean(capsys, solved: Path):
    doc = json.loads(solved.read_text(encoding="utf-8"))
    assert PLAN_KEYS <= set(doc)
    assert doc["seed"] == 94 and doc["week_anchor_date"] == "2026-01-05"
    first = doc["instances"][0]
    assert set(first) >= {"id", "day", "start", "end", "depot"} and len(first["start"]) == 5
    assert len(doc["assignments"]) == len(doc["instances"])
    code, out, _ = run(capsys, "audit", str(solved))
    assert code == 0 and "7/7 PASS" in out.splitlines()[0]


def test_solve_is_reproducible(capsys, tmp_path: Path, week_file: Path, solved: Path):
    again = tmp_path / "again.json"
    assert run(capsys, "solve", str(week_file), *ANCHOR, "--time-limit", "6", "--out", str(again))[0] == 0
    assert json.loads(again.read_text())["output_hash"] == json.loads(solved.read_text())["output_hash"]


def test_hand_edited_overlap_is_caught(capsys, solved: Path):
    doc = json.loads(solved.read_text(encoding="utf-8"))
    by_slot: dict[tuple[int, str], list[str]] = {}
    for inst in doc["instances"]:
        by_slot.setdefault((inst["day"], inst["start"]), []).append(inst["id"])
    a, b = next(ids for ids in by_slot.values() if len(ids) >= 2)[:2]
    driver = next(x["driver_id"] for x in doc["assignments"] if x["instance_id"] == a)
    for x in doc["assignments"]:
        if x["instance_id"] == b:
            x["driver_id"] = driver
    solved.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run(capsys, "audit", str(solved))
    assert code == 1 and "FAIL" in out.splitlines()[0]
    assert f"{a},{b}" in out or f"{b},{a}" in out
    assert "differ from the recorded output_hash" in out
    code, out, _ = run(capsys, "audit", str(solved), "--json")
    report = json.loads(out)
    assert code == 1 and report["status"] == "FAIL" and report["passed"] < 7
    assert next(r for r in report["audits"] if r["name"] == "overlap")["violations"] >= 1


@pytest.mark.parametrize("content", [None, "{not json", '{"instances": [{"id": "a", "day": 1, "start": "25:00", "end": "09:00"}], "assignments": []}'])
def test_unreadable_plan_is_one_line(capsys, tmp_path: Path, content: str | None):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "audit", str(path))
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_input_failing_the_contract_exits_2(capsys, week_file: Path):
    code, _, err = run(capsys, "solve", str(week_file))  # an export file needs --anchor
    assert code == 2 and "import contract" in err and err.count("\n") == 1


def test_no_legal_plan_exits_1_and_says_why(capsys, tmp_path: Path):
    path = tmp_path / "week.txt"
    path.write_text("Mo 04:00-19:30\nMo 05:00-09:30 2 Fahrer\nDi 05:00-09:30\n", encoding="utf-8")
    code, out, _ = run(capsys, "solve", str(path), *ANCHOR, "--time-limit", "3")
    assert code == 1
    assert "INFEASIBLE" in out.splitlines()[0] and "no legal plan: Mo-0400-1930-1 breaks R5" in out


def test_solve_json_summary(capsys, week_file: Path):
    code, out, err = run(capsys, "solve", str(week_file), *ANCHOR, "--time-limit", "6", "--json")
    doc = json.loads(out)
    beats = [json.loads(line)["heartbeat"] for line in err.splitlines() if line.startswith('{"heartbeat"')]
    assert beats and {"phase", "drivers", "pt", "bound", "elapsed_s"} <= set(beats[-1])  # heartbeats on stderr, stdout stays the result
    assert code == 0 and doc["status"] in ("OPTIMAL", "FEASIBLE")
    assert doc["lower_bound"]["value"] <= doc["drivers"] and doc["output_hash"].startswith("sha256:")
    assert [a["status"] for a in doc["audits"]] == ["PASS"] * 7


def test_solvereign_entry_point(tmp_path: Path, week_file: Path):
    plan = tmp_path / "p.json"
    exe = Path(sys.executable).with_name("solvereign")
    proc = subprocess.run(
        [str(exe), "solve", str(week_file), *ANCHOR, "--time-limit", "6", "--out", str(plan)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "construct · best " in proc.stderr and "solver stages" in proc.stdout  # heartbeat lines and the stage table
    audit = subprocess.run([str(exe), "audit", str(plan)], capture_output=True, text=True, timeout=60, check=False)
    assert audit.returncode == 0 and "7/7" in audit.stdout
