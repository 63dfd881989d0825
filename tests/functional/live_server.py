"""A real server on loopback for the tests: uvicorn in a thread of the test process (stopped by the
test), or `solvereign serve` as a subprocess; API keys minted through the CLI."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from ops_world import ADMIN, NOW_OPEN, cli, solvereign_argv, subprocess_env

from app.server.app import create_app
from engine.clock import parse_now


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mint_key(db: Path, login: str) -> str:
    r = cli(db, "users", "key", login, login=ADMIN)
    assert r.code == 0, r
    return r.out.strip()


@contextmanager
def live_server(db: Path, *, now: str = NOW_OPEN, workers: int | None = None, port: int | None = None) -> Iterator[str]:
    """`http://127.0.0.1:PORT` of a server in a thread (on `port`, else a free one); stopped (and joined) when the block ends."""
    port = port or free_port()
    config = uvicorn.Config(create_app(db, parse_now(now), workers=workers), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive(), "server did not stop"


def wait_healthy(url: str, proc: subprocess.Popen, why: Callable[[], str], *, seconds: float = 60) -> None:
    """Until `solvereign serve` at `url` answers /health; fails with `why()` (e.g. its log) if it died or never did."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, why()
        time.sleep(0.1)


@contextmanager
def served(db: Path, *, now: str = NOW_OPEN, port: int | None = None) -> Iterator[str]:
    """`http://127.0.0.1:PORT` of `solvereign serve` as its own process (its solves spawn children,
    which a server in a thread of a test that captures the output cannot)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(solvereign_argv(None, "--db", str(db), "--now", now, "serve", "--port", str(port)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=subprocess_env())
    try:
        wait_healthy(url, proc, lambda: "solvereign serve did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def client(url: str, key: str | None) -> httpx.Client:
    headers = {"X-API-Key": key} if key else {}
    return httpx.Client(base_url=url, headers=headers, timeout=30)
