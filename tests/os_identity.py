"""How the tests act as several people although they all run under one OS account.

The program takes the acting person from the process's real uid (`app.settings.os_login`), never
from LOGNAME/USER. Tests that need other people:

* in this process: `acting_as(login)` replaces `app.settings.account_name`, the one function that
  turns the uid into a name (a Python-level seam; nothing outside the test process can reach it);
* in a child process: `as_login_command(login, *args)` runs `solvereign ARGS…` through this file
  (`python tests/os_identity.py LOGIN ARGS…`), which installs the same seam before `app.cli.main`;
* for identity itself (spoofing through LOGNAME/USER): the installed command runs as the suite's
  real account, which the test registers in the store with the role it needs
  (tests/functional/test_identity.py).

Test suites also set SOLVEREIGN_DRILL=1 (tests/conftest.py), the documented switch that lets
anyone's `--now` be honoured (drills and tests); tests of the clock policy remove it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]


@contextmanager
def acting_as(login: str) -> Iterator[None]:
    """Run the code inside as OS user `login` (in this process only)."""
    import app.settings as settings

    saved = settings.account_name
    settings.account_name = lambda uid: login  # type: ignore[assignment]
    try:
        yield
    finally:
        settings.account_name = saved  # type: ignore[assignment]


def as_login_command(login: str, *args: str) -> list[str]:
    """argv of a child process that runs `solvereign ARGS…` as OS user `login` (see the module docstring)."""
    return [sys.executable, str(HERE), login, *args]


if __name__ == "__main__":  # python tests/os_identity.py LOGIN ARGS…
    sys.path.insert(0, str(REPO))
    who, argv = sys.argv[1], sys.argv[2:]
    import app.settings as settings

    settings.account_name = lambda uid: who  # type: ignore[assignment]
    from app.cli import main

    sys.exit(main(argv))
