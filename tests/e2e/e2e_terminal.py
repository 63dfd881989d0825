"""A tmux pane driven from a test: type, send keys, poll the screen (bounded waits).

Each Terminal is its own tmux server (a private socket), started from a minimal
environment, running an interactive bash with a known prompt.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

TMUX = shutil.which("tmux")
PROMPT = "E2E$ "


class Terminal:
    """One tmux pane of a fixed size with a bash prompt in `cwd`."""

    def __init__(self, socket: str, cwd: Path, env: dict[str, str], size: tuple[int, int] = (120, 40)) -> None:
        self.socket = socket
        self.target = "e2e"
        # the server (and so every pane) starts from this environment only: nothing leaks in
        # from the test process (NO_COLOR, COLORTERM, SOLVEREIGN_*, TEXTUAL_*)
        self.env = {k: env[k] for k in ("HOME", "PATH", "TERM", "LANG")}
        args = ["new-session", "-d", "-s", self.target, "-x", str(size[0]), "-y", str(size[1]), "-c", str(cwd)]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        rc = Path(env["HOME"]) / ".e2e-bashrc"
        rc.write_text(f"PS1='{PROMPT}'\nunset HISTFILE\n", encoding="utf-8")
        self.tmux(*args, f"bash --rcfile {rc} --noprofile -i")
        self.wait_for(lambda screen: PROMPT.strip() in screen, "the shell prompt")  # capture-pane drops trailing blanks

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=20,
                              check=False, env=self.env)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.target)

    def keys(self, *keys: str) -> None:
        """tmux key names: Enter, Escape, Down, P, q …"""
        self.tmux("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def run(self, command: str) -> None:
        self.type(command)
        self.keys("Enter")

    def wait_for(self, condition: Callable[[str], bool] | str, what: str = "", timeout: float = 20.0) -> str:
        check = (lambda screen: condition in screen) if isinstance(condition, str) else condition
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what or condition!r}; the screen:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, timeout=20, check=False, env=self.env)
