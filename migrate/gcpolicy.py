"""Garbage collection paced by post, not by allocation count.

docutils leaves every parsed document as a web of reference cycles (state machines, bound
transition methods, ``node.parent``), so CPython's collector runs every 700 allocations and
its full scans walk the whole batch record again and again: about a fifth of a serial run
(docs/performance.md).  Inside a chunk of posts the automatic collector is paused and one
young-generation collection runs after each post, which frees that post's cycles while they
are still young; the caller's collector state is restored when the chunk ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def per_item(items: Iterable[T]) -> Iterator[T]:
    """Yield ``items``; collect the young generation after each one, automatic GC paused."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for item in items:
            yield item
            gc.collect(0)
    finally:
        if was_enabled:
            gc.enable()
