"""Python's cyclic garbage collector, paused around passes that build many short-lived objects.

A pass over every connector of a cluster (the health sweep) loads tens of thousands of model rows and
Connect's bulk answer. They hold no reference cycles, so reference counting frees them; yet the
allocations set off the cyclic collector's full collections, each of which walks every object in the
process: at 10,000 connectors two or three a sweep, a fifth of its CPU time. Paused for the pass, the
collector runs as usual afterwards and finds whatever cycles the pass did leave.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
