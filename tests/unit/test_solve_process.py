"""The server's solver children (app/server/solve_process.py) run at a lower CPU priority than the server,
so on a small host the request threads come first (the load bar of issue 15)."""

from __future__ import annotations

import os

from app.server.solve_process import NICE, ProcessSolver


def test_solver_children_are_niced_below_the_server() -> None:
    solver = ProcessSolver(1)
    try:
        child = solver._pool.submit(os.nice, 0).result(timeout=120)  # a real spawned child of the pool
    finally:
        solver.shutdown()
    assert child == min(19, os.nice(0) + NICE)
