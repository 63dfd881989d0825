"""The weekly roster solver: see `engine.solver.api` for stages and determinism."""

from engine.solver.api import SolveResult, SolveStatus, solve

__all__ = ["SolveResult", "SolveStatus", "solve"]
