"""The world the ops and CLI tests share: a store built through the CLI, and helpers to drive it.

Kept out of conftest.py so tests import it by a name no other folder uses.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from os_identity import acting_as, as_login_command

from app.cli import build_parser, main
from app.settings import os_login
from storage.trust import companion_files

REPO_DIR = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
SOLVEREIGN = Path(sys.executable).with_name("solvereign")

TENANT, SITE, OTHER_SITE, OTHER_TENANT = "acme", "wien", "graz", "rival"
WEEK_A, WEEK_B, WEEK_C = "2026-01-05", "2026-01-12", "2026-01-19"
NOW_OPEN = "2026-01-01T12:00"  # before every week of the world: lock windows open
REASON = "Weekly schedule approval"
LOCK_REASON = "Final lock for export"
TIME_LIMIT = 3.0

# login → role; all of tenant acme, site wien (admin also has graz once it is enabled)
ROLE_LOGINS = {
    "viewer": "vera",
    "dispatcher": "dora",
    "ops_lead": "olga",
    "on_call": "otto",
    "platform_admin": "adam",
}
ROLES = tuple(ROLE_LOGINS)
ADMIN = ROLE_LOGINS["platform_admin"]
DISPATCHER = ROLE_LOGINS["dispatcher"]
OPS_LEAD = ROLE_LOGINS["ops_lead"]
DISPATCHER2 = "dirk"  # a second dispatcher of wien
GRAZ_USER = "gina"  # dispatcher of acme/graz only
RIVAL = "rita"  # platform_admin of tenant rival (site code wien too)
UNKNOWN = "nobody"
REAL_LOGIN = os_login()  # the account the suite runs under (root in CI)


# --- running the command line ------------------------------------------------------


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_line(self) -> str:
        """The one stderr line of a refusal (asserts it is exactly one line, no traceback)."""
        lines = [x for x in self.err.splitlines() if x.strip()]
        assert len(lines) == 1, f"expected one error line, got: {self.err!r}"
        assert "Traceback" not in self.err
        return lines[0]

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[:400]!r}, err={self.err[:400]!r})"


@contextmanager
def login_as(login: str) -> Iterator[None]:
    """Act as OS login `login` in this process (the seam of tests/os_identity.py; LOGNAME is ignored)."""
    with acting_as(login):
        yield


def global_args(db: Path | str | None, now: str | None, act_as: str | None) -> list[str]:
    args: list[str] = []
    if db is not None:
        args += ["--db", str(db)]
    if now is not None:
        args += ["--now", now]
    if act_as is not None:
        args += ["--as", act_as]
    return args


def cli(db: Path | str | None, *args: str, login: str, now: str | None = NOW_OPEN, act_as: str | None = None) -> Result:
    """`solvereign [--db DB] [--now NOW] [--as X] ARGS…` in this process, as OS user `login`."""
    out, err = io.StringIO(), io.StringIO()
    with login_as(login), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([*global_args(db, now, act_as), *args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    return Result(code, out.getvalue(), err.getvalue())


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    env.update(SOLVEREIGN_CONFIG=os.devnull, SOLVEREIGN_DRILL="1", SOLVEREIGN_LANG="en", PYTHONUNBUFFERED="1")

    return env


def solvereign_argv(login: str | None, *args: str) -> list[str]:
    """The installed command when acting as the real OS account, else the identity launcher (tests/os_identity.py)."""
    if login is None or login == REAL_LOGIN:
        return [str(SOLVEREIGN), *args]
    return as_login_command(login, *args)


def run_solvereign(
    db: Path | str | None, *args: str, login: str | None, now: str | None = NOW_OPEN, act_as: str | None = None,
    timeout: float = 180,
) -> Result:
    """`solvereign` as a subprocess acting as OS user `login` (None: the real account, the installed command)."""
    proc = subprocess.run(
        solvereign_argv(login, *global_args(db, now, act_as), *args),
        capture_output=True, text=True, timeout=timeout, env=subprocess_env(), check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """The parser of every subcommand, by name ("users add", "sites list", "kill-switch", …)."""

    def walk(parser: argparse.ArgumentParser, prefix: str) -> dict[str, argparse.ArgumentParser]:
        found: dict[str, argparse.ArgumentParser] = {}
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found[f"{prefix}{name}"] = sub
                    found.update(walk(sub, f"{prefix}{name} "))
        return found

    return walk(build_parser(), "")


def solve(
    db: Path | str, forecast_id: int, *, login: str, now: str | None = NOW_OPEN, act_as: str | None = None,
    time_limit: float = TIME_LIMIT, subprocess_mode: bool = False,
) -> Result:
    """`solvereign solve --forecast ID --time-limit S --json` (in-process, or the installed command)."""
    runner = run_solvereign if subprocess_mode else cli
    argv = ["solve", "--forecast", str(forecast_id), "--time-limit", str(time_limit), "--json"]
    return runner(db, *argv, login=login, now=now, act_as=act_as)


# --- forecast files ----------------------------------------------------------------

DAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag")


def balanced_week(pairs: int = 2, days: int = 5, shift: int = 0, extra_monday: int = 0) -> str:
    """An export CSV whose best plan has no warnings: `pairs` drivers each doing two 4.5 h tours a day
    (≥ 40 h a week); `shift` minutes move every tour so different calls give different content.
    `extra_monday` more morning tours on Monday need as many more drivers with 4.5 h each: part-timers,
    so the plan has a KPI in its alert band. Every such week solves to optimality at once."""

    def hhmm(m: int) -> str:
        return f"{m // 60:02d}:{m % 60:02d}"

    tours = [(6 * 60 + shift, 10 * 60 + 30 + shift), (11 * 60 + shift, 15 * 60 + 30 + shift)]
    out: list[str] = []
    for day, name in enumerate(DAY_NAMES[:days]):
        out.append(f"{name};Anzahl")
        out += [f"{hhmm(s)}-{hhmm(e)};{pairs + (extra_monday if day == 0 and k == 0 else 0)}" for k, (s, e) in enumerate(tours)]
        out.append(";")
    return "\n".join(out) + "\n"


def warn_contract(anchor: str) -> str:
    """A JSON contract of the balanced shape that validates WARN (count, depot, skill defaulted)."""
    tours = [
        {"external_id": f"T{d}{k}", "day": d, "start_time": s, "end_time": e}
        for d in range(1, 6) for k, (s, e) in enumerate((("06:00", "10:30"), ("11:00", "15:30")))
    ]
    return json.dumps({"tenant_code": TENANT, "site_code": SITE, "week_anchor_date": anchor, "tours": tours}, indent=1)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- stores ------------------------------------------------------------------------


def clone_store(src: Path, dest: Path) -> Path:
    """A copy of a store file with its key and heads file (each operation detaches, which checkpoints: normally
    no WAL is left)."""
    shutil.copyfile(src, dest)
    for suffix in (".wal", ".key", ".heads"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dest}{suffix}")
    return dest


def drop_store(path: Path) -> None:
    for p in (path, Path(f"{path}.wal"), *companion_files(path)):
        p.unlink(missing_ok=True)


def snapshot(db: Path, *logins: str) -> dict[str, Any]:
    """Everything the read commands show, for `logins` (default: the admins of both tenants)."""
    views: dict[str, Any] = {}
    for login in logins or (ADMIN, RIVAL):
        for args in (("list-runs", "--limit", "500"), ("forecasts", "--limit", "500"), ("log",), ("users", "list"),
                     ("status",)):  # status holds the kill switch and the site gates
            r = cli(db, *args, "--json", login=login)
            assert r.code == 0, (args, r)
            views[f"{login}:{' '.join(args)}"] = r.json
    return views


@dataclass
class World:
    """A store with every role, two sites, two tenants, forecasts and runs in known states."""

    db: Path
    forecasts: dict[str, int]
    runs: dict[str, int]
    files: dict[str, Path]


def _ok(r: Result) -> Result:
    assert r.code == 0, r
    return r


def build_world(root: Path) -> World:
    root.mkdir(parents=True, exist_ok=True)
    db = root / "world.duckdb"
    files = {
        "clean_a": write(root / "clean_a.csv", balanced_week(2)),
        "clean_b": write(root / "clean_b.csv", balanced_week(2, shift=15)),
        "kpi_alert": write(root / "kpi_alert.csv", balanced_week(2, extra_monday=1)),
        "warn_c": write(root / "warn_c.json", warn_contract(WEEK_C)),
        "graz": write(root / "graz.csv", balanced_week(1, shift=30)),
        "rival": write(root / "rival.csv", balanced_week(1, shift=45)),
        "fresh": write(root / "fresh.csv", balanced_week(1, shift=60)),
        "fail": write(root / "fail.txt", "Mo 25:00-26:00 3 Fahrer\nXx nonsense\n"),
    }
    _ok(cli(db, "init", "--tenant", TENANT, "--site", SITE, "--name", "Adam Admin", login=ADMIN))
    _ok(cli(db, "sites", "enable", OTHER_SITE, "--reason", "second depot", login=ADMIN))
    for role, login in ROLE_LOGINS.items():
        if role != "platform_admin":
            _ok(cli(db, "users", "add", login, "--role", role, "--tenant", TENANT, "--sites", SITE, login=ADMIN))
    _ok(cli(db, "users", "add", DISPATCHER2, "--role", "dispatcher", "--tenant", TENANT, "--sites", SITE, login=ADMIN))
    _ok(cli(db, "users", "add", GRAZ_USER, "--role", "dispatcher", "--tenant", TENANT, "--sites", OTHER_SITE, login=ADMIN))
    _ok(cli(db, "init", "--tenant", OTHER_TENANT, "--site", SITE, "--admin", RIVAL, login=ADMIN))

    def imp(name: str, login: str, anchor: str | None, *extra: str) -> int:
        args = ["import", str(files[name]), "--json", *extra] + (["--anchor", anchor] if anchor else [])
        r = cli(db, *args, login=login)
        assert r.code in (0, 1), r
        return int(r.json["forecast_id"])

    forecasts = {
        "clean_a": imp("clean_a", DISPATCHER, WEEK_A),
        "clean_b": imp("clean_b", DISPATCHER, WEEK_B),
        "kpi_alert": imp("kpi_alert", DISPATCHER, WEEK_A),
        "warn_c": imp("warn_c", DISPATCHER, None),
        "graz": imp("graz", GRAZ_USER, WEEK_A),
        "rival": imp("rival", RIVAL, WEEK_A),
    }

    def run_of(forecast: str, login: str) -> int:
        r = solve(db, forecasts[forecast], login=login)
        assert r.code == 0, r
        return int(r.json["run_id"])

    runs = {
        "clean": run_of("clean_a", DISPATCHER),  # AUDITED, no warnings
        "published": run_of("clean_b", DISPATCHER),  # PUBLISHED below
        "kpi_alert": run_of("kpi_alert", DISPATCHER),  # AUDITED, a KPI in its alert band
        "warn_forecast": run_of("warn_c", DISPATCHER),  # AUDITED, WARN forecast, KPIs fine
        "graz": run_of("graz", GRAZ_USER),  # AUDITED, acme/graz
        "rival": run_of("rival", RIVAL),  # AUDITED, tenant rival
    }
    _ok(cli(db, "publish", str(runs["published"]), "--reason", REASON, login=DISPATCHER))
    return World(db=db, forecasts=forecasts, runs=runs, files=files)
