"""A throwaway PostgreSQL cluster for the tests and benchmarks: initdb + pg_ctl in a temp dir.

Listens on 127.0.0.1 on a free port (and a socket inside the temp dir). initdb refuses root, so as
root the cluster runs as the `postgres` OS user. The schema is migrated once into a template
database; `fresh_database()` clones it (a few ms), so each test gets its own store.
Absent server binaries skip the PostgreSQL half of the suite, except under CI (then they fail it).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "postgres"
TEMPLATE = "solvereign_template"


def find_bindir() -> Path | None:
    """PostgreSQL's server binaries: $SOLVEREIGN_PG_BIN, Debian's /usr/lib/postgresql/<v>/bin, or PATH."""
    candidates = [os.environ.get("SOLVEREIGN_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    on_path = shutil.which("pg_ctl")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running cluster; `stop()` removes it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="solvereign-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres OS user
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count(1)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")
        self.create(TEMPLATE, template="template0")
        from storage import Store

        Store(self.url(TEMPLATE)).init()
        from storage.pg import close_pools

        close_pools(self.url(TEMPLATE))  # a template must have no open connections

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self._as, str(self.bindir / program), *args], check=True, capture_output=True, text=True)

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create(self, name: str, *, template: str = TEMPLATE) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')

    def fresh_database(self, prefix: str = "t") -> str:
        """A new database holding the current (empty) schema; returns its URL."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.create(name)
        return self.url(name)

    def empty_database(self, prefix: str = "e") -> str:
        """A new database without any schema (the store migrates it on first use)."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.create(name, template="template0")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
