"""Loading the program with the garbage collector paused.

Importing the CLI, DuckDB, pydantic models and Textual allocates hundreds of thousands of
long-lived objects; the collector would scan them again and again while they load (~0.1 s
of the cockpit's cold start). (Not `gc.freeze()` after: frozen objects miss the collection
at exit, and DuckDB's bindings then print "leaked instance" warnings to the terminal.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
