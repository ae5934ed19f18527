"""Asking many remote systems at once, so one slow system costs one timeout, not one per system."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_PARALLEL_CALLS = 8


def map_concurrently(
    function: Callable[[Item], Result], items: Iterable[Item], *, max_workers: int = MAX_PARALLEL_CALLS
) -> list[Result]:
    """`[function(item) for item in items]`, at most `max_workers` at a time, in the items' order.

    The function runs in other threads: it must not touch the database (each thread would open a
    connection of its own)."""
    items = list(items)
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items))) as pool:
        return list(pool.map(function, items))
