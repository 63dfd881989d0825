"""Loading the program with the garbage collector paused.

Importing the CLI, DuckDB, pydantic models and Textual allocates hundreds of thousands of
long-lived objects. The collector would scan them again and again while they load, and
then in every full collection while the cockpit starts and runs (~40 ms a time: a tenth of
a second of the cold start). So it is paused while loading, and what was loaded is frozen
out of later collections. At exit the frozen objects are released to the last collection,
or DuckDB's bindings print "leaked instance" warnings to the terminal.
"""

from __future__ import annotations

import atexit
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
        gc.freeze()
        if enabled:
            gc.enable()


atexit.register(gc.unfreeze)
