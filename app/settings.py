"""Where the store lives and who is acting: flag > environment > config file > default.

The config file is TOML at `<user config dir>/solvereign/config.toml` (or
`SOLVEREIGN_CONFIG`), with optional keys `db`, `theme`, `export_dir`.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

APP = "solvereign"


def _config_file() -> dict[str, Any]:
    path = Path(os.environ.get("SOLVEREIGN_CONFIG") or Path(user_config_dir(APP)) / "config.toml")
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"config file {path} is unreadable: {exc}") from None


def resolve_db_path(flag: str | None) -> Path:
    """`--db` > SOLVEREIGN_DB > config `db` > the user's data directory."""
    value = flag or os.environ.get("SOLVEREIGN_DB") or _config_file().get("db")
    if value:
        return Path(value).expanduser()
    return Path(user_data_dir(APP)) / "solvereign.duckdb"


def resolve_theme(flag: str | None) -> str | None:
    return flag or os.environ.get("SOLVEREIGN_THEME") or _config_file().get("theme")


def os_login() -> str:
    """The acting person: the OS login (over SSH, who logged in)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def resolve_export_dir() -> Path:
    """Where the cockpit's exports go: SOLVEREIGN_EXPORT_DIR > config `export_dir` > an
    `exports` folder in the user's data directory (never the current directory by default)."""
    value = os.environ.get("SOLVEREIGN_EXPORT_DIR") or _config_file().get("export_dir")
    return Path(value).expanduser() if value else Path(user_data_dir(APP)) / "exports"
