"""Where the store lives and who is acting: flag > environment > config file > default
(except the acting person, who is always the real uid's account).

The config file is TOML at `<user config dir>/solvereign/config.toml` (or
`SOLVEREIGN_CONFIG`), with optional keys `db`, `theme`, `export_dir`, `evidence_dir` and tables `[smtp]`, `[webhook]`.
"""

from __future__ import annotations

import os
import pwd
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from storage.location import store_location

APP = "solvereign"


class InsecureConfig(ValueError):
    """The config file holds a secret but others may read it."""


def config_path() -> Path:
    return Path(os.environ.get("SOLVEREIGN_CONFIG") or Path(user_config_dir(APP)) / "config.toml")


def _config_file() -> dict[str, Any]:
    path = config_path()
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"config file {path} is unreadable: {exc}") from None


def resolve_db_path(flag: str | None) -> Path:
    """`--db` > SOLVEREIGN_DB > config `db` > the user's data directory. A `postgresql://` URL names a
    PostgreSQL store (a `PgLocation`, which answers the few questions the app asks of a store path)."""
    value = flag or os.environ.get("SOLVEREIGN_DB") or _config_file().get("db")
    if value:
        return store_location(str(value))  # type: ignore[return-value]
    return Path(user_data_dir(APP)) / "solvereign.duckdb"


def config_section(name: str) -> dict[str, Any]:
    """One table of the config file (`[smtp]`, `[webhook]`), empty when absent."""
    section = _config_file().get(name, {})
    return section if isinstance(section, dict) else {}


def resolve_evidence_dir(store_path: str | Path) -> Path:
    """Where packs of locked plans go: SOLVEREIGN_EVIDENCE_DIR > config `evidence_dir` > artifacts/evidence/ next to the store."""
    value = os.environ.get("SOLVEREIGN_EVIDENCE_DIR") or _config_file().get("evidence_dir")
    if value:
        return Path(value).expanduser()
    return Path(store_path).resolve().parent / "artifacts" / "evidence"


def resolve_api(flag: str | None) -> tuple[str | None, str | None]:
    """(server URL, API key) for remote mode: `--api` > SOLVEREIGN_API > config `api`; the key from
    SOLVEREIGN_API_KEY or config `api_key`, the latter only from a file nobody else can read (0600)."""
    config = _config_file()
    url = flag or os.environ.get("SOLVEREIGN_API") or config.get("api")
    if not url:
        return None, None
    key = os.environ.get("SOLVEREIGN_API_KEY")
    if not key and config.get("api_key"):
        path = config_path()
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise InsecureConfig(f"config file {path} holds an API key but is readable by others (mode {mode:o}); chmod 600 {path}")
        key = str(config["api_key"])
    return str(url), key


def resolve_theme(flag: str | None) -> str | None:
    return flag or os.environ.get("SOLVEREIGN_THEME") or _config_file().get("theme")


def os_login() -> str:
    """The acting person: the account of this process's real uid. Never LOGNAME, USER or any other
    environment variable: anyone can set those (`LOGNAME=root solvereign kill-switch on` must not work)."""
    return account_name(os.getuid())


def account_name(uid: int) -> str:
    """The user database's name for `uid` (in-process tests replace this one function; see tests/os_identity.py)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        from app.errors import EXIT_BLOCKED, UserError
        from app.i18n import _

        raise UserError(_("uid {uid} has no account name on this host; run solvereign as a named user").format(uid=uid), EXIT_BLOCKED) from None


def drill_mode() -> bool:
    """SOLVEREIGN_DRILL=1: test suites and drills (on a store copy) may set the clock whoever acts."""
    return os.environ.get("SOLVEREIGN_DRILL", "") == "1"


def resolve_export_dir() -> Path:
    """Where the cockpit's exports go: SOLVEREIGN_EXPORT_DIR > config `export_dir` > an
    `exports` folder in the user's data directory (never the current directory by default)."""
    value = os.environ.get("SOLVEREIGN_EXPORT_DIR") or _config_file().get("export_dir")
    return Path(value).expanduser() if value else Path(user_data_dir(APP)) / "exports"
